"""Why a posting got its score, in rating points that add up exactly.

A posting's linear score is split by feature group (title, description, pay, skills...),
each measured from the user's typical rated posting (`remember`). The groups' score
differences are turned into rating points by one factor per posting, the secant of the
calibrated expected rating between the typical posting and this one, so

    baseline + sum(contributions) == expected score.

Labels name what a person sees in the posting: words (never character n-grams, stop
words or filler bigrams), pay as money per year, seniority, skills.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from shared.ml.blocks import EmbeddingBlock, TextBlock
from shared.ml.frame import column_lists
from shared.ml.heuristic import NEUTRAL, heuristic_parts, heuristic_proba
from shared.ml.model import PostingModel
from shared.ml.posting_facts import NUMBER_NAMES

# Token prefix (before ": ") -> group, for the posting-facts blocks.
FACT_GROUPS = {
    "pay": "pay",
    "experience": "experience",
    "seniority": "seniority",
    "employment": "employment",
    "workplace": "workplace",
    "country": "country",
    "company": "company",
    "location": "location",
    "skill": "skills",
}
NUMBER_GROUPS = dict(zip(NUMBER_NAMES, ("pay", "pay", "experience"), strict=True))
SCALE = "rating points on the 0-3 scale of the expected score"
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}


def significant(value: float, digits: int = 2) -> str:
    """+0.31, -0.0042, +1.2: two significant digits and a sign, never an exponent."""
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    return f"{value:+.{decimals}f}"


# Words every job ad uses: they make filler phrases ("hire sales", "join team"), not reasons.
FILLER = frozenset(
    {
        "hire",
        "hiring",
        "join",
        "joining",
        "looking",
        "seeking",
        "work",
        "working",
        "team",
        "role",
        "roles",
        "opportunity",
        "position",
        "job",
        "jobs",
        "company",
        "candidate",
        "candidates",
        "ideal",
        "new",
        "great",
        "best",
        "including",
        "strong",
        "ability",
        "etc",
        "experience",
        "responsibilities",
        "requirements",
        "apply",
        "",
    }
)


def readable_term(term: str) -> bool:
    """A word or phrase a person would recognise: no stop words, filler or bare numbers."""
    tokens = term.split()
    return bool(tokens) and all(
        t not in ENGLISH_STOP_WORDS and t not in FILLER and len(t) > 1 and not t.isdigit()
        for t in tokens
    )


@dataclass
class Groups:
    names: list[str]
    of_feature: np.ndarray  # feature index -> group index
    summing: sp.csr_matrix  # (n_features x n_groups) indicator
    term: list[str | None]  # a readable word or a skill, for labels; else None


_GROUPS: WeakKeyDictionary[PostingModel, Groups] = WeakKeyDictionary()


def _block_groups(block: Any) -> tuple[list[str], list[str | None]]:
    names = block.feature_names()
    if isinstance(block, EmbeddingBlock):
        return ["meaning"] * len(names), [None] * len(names)
    if isinstance(block, TextBlock):
        group = "title" if block.column == "title" else "description"
        words = block.analyzer == "word"
        terms = [str(t) if words and readable_term(str(t)) else None for t in block.terms_]
        return [group] * len(names), terms
    groups = [
        NUMBER_GROUPS.get(name) or FACT_GROUPS.get(name.split(": ", 1)[0], "other")
        for name in names
    ]
    skills = [n.removeprefix("skill: ") if n.startswith("skill: ") else None for n in names]
    return groups, skills


def feature_groups(estimator: PostingModel) -> Groups:
    cached = _GROUPS.get(estimator)
    if cached is not None:
        return cached
    group_of: list[str] = []
    terms: list[str | None] = []
    for block, _ in estimator.featurizer.block_slices():
        g, t = _block_groups(block)
        group_of += g
        terms += t
    names = list(dict.fromkeys(group_of))
    index = {name: i for i, name in enumerate(names)}
    of_feature = np.array([index[g] for g in group_of], dtype=int)
    summing = sp.csr_matrix(
        (np.ones(len(of_feature)), (np.arange(len(of_feature)), of_feature)),
        shape=(len(of_feature), len(names)),
    )
    groups = Groups(names, of_feature, summing, terms)
    _GROUPS[estimator] = groups
    return groups


def _contributions(
    estimator: PostingModel, frame: pd.DataFrame, features: sp.csr_matrix | None = None
) -> sp.csr_matrix:
    """Each feature's share of each row's linear score."""
    if features is None:
        features = estimator.features(frame)
    return sp.csr_matrix(features.multiply(estimator.coef[None, :]))


LABEL_COLUMNS = (
    "title",
    "annual_min",
    "annual_max",
    "seniority",
    "employment_type",
    "workplace_type",
    "country",
    "company",
    "location",
    "years_experience",
    "salary_currency",
    "pay_local",
    "skills",
)
LabelRow = namedtuple("LabelRow", LABEL_COLUMNS)  # type: ignore[misc]


def _rows(frame: pd.DataFrame) -> list[Any]:
    """The facts labels quote, as light tuples (DataFrame.itertuples is slow for one row)."""
    return [LabelRow(*v) for v in zip(*column_lists(frame, LABEL_COLUMNS), strict=True)]


def pay_usd(row: Any) -> float:
    """Mid-point of a posting's annual pay in rough US dollars (NaN when unknown)."""
    values = [v for v in (float(row.annual_min), float(row.annual_max)) if math.isfinite(v)]
    return sum(values) / len(values) if values else math.nan


def remember(estimator: PostingModel, frame: pd.DataFrame) -> None:
    """Store the typical rated posting (mean score per group) and the user's pay quartiles."""
    groups = feature_groups(estimator)
    sums = np.asarray((_contributions(estimator, frame) @ groups.summing).mean(axis=0)).ravel()
    estimator.reference_ = {name: float(v) for name, v in zip(groups.names, sums, strict=True)}
    pay = np.array([pay_usd(row) for row in _rows(frame)])
    pay = pay[np.isfinite(pay)]
    estimator.pay_quartiles_ = [float(q) for q in np.percentile(pay, [25, 75])] if len(pay) else []


def money(amount: float, currency: str = "USD") -> str:
    sign = CURRENCY_SIGNS.get(currency, f"{currency} ")
    if amount >= 1e6:
        return f"{sign}{amount / 1e6:.3g}M"
    return f"{sign}{amount / 1e3:.3g}k"


def pay_label(row: Any, usd: float, quartiles: list[float]) -> str:
    """'pay $180k/yr (high for you)'; another currency shows itself and its dollar value."""
    if not math.isfinite(usd):
        return "no pay given"
    currency = str(row.salary_currency or "USD")
    local = float(row.pay_local)
    notes = []
    if currency != "USD" and math.isfinite(local):
        head = f"pay {money(local, currency)}/yr"
        notes.append(f"≈ {money(usd)}")
    else:
        head = f"pay {money(usd)}/yr"
    if quartiles:
        low, high = quartiles
        notes.append(f"{'high' if usd > high else 'low' if usd < low else 'typical'} for you")
    return head + (f" ({', '.join(notes)})" if notes else "")


def _fact_label(group: str, row: Any) -> str:
    value = {
        "seniority": row.seniority,
        "employment": row.employment_type,
        "workplace": row.workplace_type,
        "country": row.country,
        "company": row.company,
        "location": row.location,
    }.get(group)
    if group == "experience":
        years = float(row.years_experience)
        return (
            f"asks {years:g}+ years of experience"
            if math.isfinite(years)
            else ("experience not stated")
        )
    if group == "meaning":
        return "text similar to postings you rated"
    if value is None:
        return group
    return f"{group}: {value}" if value else f"{group} not stated"


def _word_label(group: str, terms: list[str], row: Any) -> str:
    """'title mentions 'machine learning''; without a telling word, the title itself."""
    if len(terms) > 1 and len(terms[0]) + len(terms[1]) > 30:
        terms = terms[:1]
    if terms:
        return f"{group} mentions " + ", ".join(f"'{t}'" for t in terms)
    if group == "title" and row.title:
        title = str(row.title)
        return f"title '{title if len(title) <= 36 else title[:35] + '…'}'"
    return f"{group} wording"


def _top_terms(row_contrib: sp.csr_matrix, groups: Groups, group: int, sign: float) -> list[str]:
    """Up to two present features of `group` pushing the same way as the group, biggest first."""
    picked: list[str] = []
    signed = sign * row_contrib.data
    # Only this group's features, pushing its way (a row has hundreds of others, embeddings).
    mine = (groups.of_feature[row_contrib.indices] == group) & (signed > 0)
    features, values = row_contrib.indices[mine], signed[mine]
    for j in features[np.argsort(-values, kind="stable")]:
        term = groups.term[j]
        if term is None or any(term in p or p in term for p in picked):
            continue
        picked.append(term)
        if len(picked) == 2:
            break
    return picked


def _label(
    group: str,
    gi: int,
    row: Any,
    row_contrib: sp.csr_matrix,
    groups: Groups,
    usd: float,
    quartiles: list[float],
    effect: float,
) -> str:
    sign = 1.0 if effect >= 0 else -1.0
    if group in ("title", "description"):
        return _word_label(group, _top_terms(row_contrib, groups, gi, sign), row)
    if group == "skills":
        found = _top_terms(row_contrib, groups, gi, sign)
        if not found:
            return "skills listed" if row.skills else "no skills listed"
        return "skills: " + ", ".join(found)
    if group == "pay":
        return pay_label(row, usd, quartiles)
    return _fact_label(group, row)


def _item(group: str, label: str, effect: float) -> dict[str, Any]:
    return {
        "group": group,
        "label": label,
        "effect": round(float(effect), 6),
        "shown": significant(effect),
    }


def _explanation(baseline: float, expected: float, items: list[dict[str, Any]]) -> dict[str, Any]:
    items.sort(key=lambda c: -abs(c["effect"]))
    return {
        "baseline": round(float(baseline), 6),
        "expected_score": round(float(expected), 6),
        "scale": SCALE,
        "contributions": items,
    }


def tangent(estimator: PostingModel, origin: float) -> float:
    """Rating points per score unit at `origin`."""
    step = 1e-4 * estimator.calibrator.scale_
    ends = estimator.expected_of_scores(np.array([origin - step, origin + step]))
    return float(ends[1] - ends[0]) / (2 * step)


def _origin(estimator: PostingModel, groups: Groups) -> tuple[np.ndarray, float]:
    """Per-group score of the typical rated posting, and its total score."""
    reference = np.array([estimator.reference_.get(name, 0.0) for name in groups.names])
    return reference, float(reference.sum() + estimator.intercept)


def _rating_factor(
    estimator: PostingModel, score: np.ndarray, origin: float, target: np.ndarray
) -> tuple[float, np.ndarray]:
    """Baseline rating and, per row, rating points per score unit (the secant)."""
    base = float(estimator.expected_of_scores(np.array([origin]))[0])
    gap = score - origin
    near = np.abs(gap) <= 1e-9
    slope = tangent(estimator, origin) if near.any() else 0.0
    return base, np.where(near, slope, (target - base) / np.where(near, 1.0, gap))


def explain(
    estimator: PostingModel,
    frame: pd.DataFrame,
    expected: np.ndarray | None = None,
    features: sp.csr_matrix | None = None,
) -> list[dict[str, Any]]:
    """One explanation per row of `frame`; `expected`: the expected scores shown (default: the
    model's own, unrounded), which baseline plus contributions then add up to. `features`:
    the rows' feature matrix when the caller already has it."""
    if frame.empty:
        return []
    groups = feature_groups(estimator)
    contrib = _contributions(estimator, frame, features)
    sums = np.asarray((contrib @ groups.summing).todense())
    reference, origin = _origin(estimator, groups)
    score = sums.sum(axis=1) + estimator.intercept
    target = (
        estimator.expected_of_scores(score) if expected is None else np.asarray(expected, float)
    )
    base, factor = _rating_factor(estimator, score, origin, target)
    effects = (sums - reference[None, :]) * factor[:, None]
    out = []
    for i, row in enumerate(_rows(frame)):
        row_contrib, usd = contrib[i], pay_usd(row)
        items = [
            _item(
                group,
                _label(
                    group,
                    gi,
                    row,
                    row_contrib,
                    groups,
                    usd,
                    estimator.pay_quartiles_,
                    effects[i, gi],
                ),
                effects[i, gi],
            )
            for gi, group in enumerate(groups.names)
        ]
        out.append(_explanation(base, target[i], items))
    return out


def explain_heuristic(frame: pd.DataFrame, expected: np.ndarray) -> list[dict[str, Any]]:
    """The pay-and-seniority rule, decomposed the same way from its neutral posting."""
    pay, seniority = heuristic_parts(frame)
    base = float(heuristic_proba(np.array([NEUTRAL]))[0] @ np.arange(4))
    gap = pay + seniority
    factor = np.where(
        np.abs(gap) > 1e-9, (np.asarray(expected) - base) / np.where(gap == 0, 1, gap), 0.0
    )
    out = []
    for i, row in enumerate(_rows(frame)):
        items = [
            _item("pay", pay_label(row, pay_usd(row), []), pay[i] * factor[i]),
            _item("seniority", _fact_label("seniority", row), seniority[i] * factor[i]),
        ]
        out.append(_explanation(base, expected[i], items))
    return out


def _currencies(values: list[Any], most: int = 2) -> str:
    """'EUR, USD': the currencies the postings advertised, most frequent first ('+2': more)."""
    counts: dict[str, int] = {}
    for value in values:
        code = str(value or "").strip() or "USD"
        counts[code] = counts.get(code, 0) + 1
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    more = f" +{len(ranked) - most}" if len(ranked) > most else ""
    return ", ".join(ranked[:most]) + more


def _fact_driver(name: str, currencies: str = "") -> str:
    """A posting-fact feature's name as words: 'pay: 80-120k' -> 'pay $80k-120k/yr (≈US$
    from EUR, GBP)': bands in US-dollar equivalents, with the currencies behind them."""
    kind, _, value = name.partition(": ")
    if kind == "pay":
        if value == "missing":
            return "no pay given"
        low, _, high = value.removesuffix("k").partition("-")
        if value.startswith("0-"):
            band = f"pay under ${high}k/yr"
        elif not high:
            band = f"pay ${low.removesuffix('+')}k+/yr"
        else:
            band = f"pay ${low}k-{high}k/yr"
        if currencies and currencies != "USD":
            return f"{band} (≈US$ from {currencies})"
        return f"{band} (US$)" if currencies else f"{band} (US$ equivalent)"
    if kind == "experience":
        return "experience not stated" if value == "missing" else f"asks {value} of experience"
    return name


def drivers(estimator: PostingModel, frame: pd.DataFrame, top: int = 15) -> dict[str, Any]:
    """What most raises or lowers this user's ratings, over their rated postings `frame`:
    words (`terms`), `skills`, `facts` (pay band, experience, seniority, employment,
    workplace, country) and `places` (company, location: mostly one-offs, kept apart).

    The same contributions as `explain`: a feature's mean share of the score where it is
    present, measured from the typical posting, in rating points at the typical posting.
    """
    groups = feature_groups(estimator)
    names = estimator.featurizer.feature_names()
    contrib = _contributions(estimator, frame).tocsc()
    count = np.diff(contrib.indptr)
    total = np.asarray(contrib.sum(axis=0)).ravel()
    n = max(len(frame), 1)
    _, origin = _origin(estimator, groups)
    effect = total / np.maximum(count, 1) * (1.0 - count / n) * tangent(estimator, origin)
    currency = frame["salary_currency"].tolist()
    found: dict[str, list[tuple[str, float]]] = {
        "terms": [],
        "skills": [],
        "facts": [],
        "places": [],
    }
    for j in np.flatnonzero((count >= min(2, n)) & (effect != 0)):
        group = groups.names[groups.of_feature[j]]
        term = groups.term[j]
        if group in ("title", "description"):
            if term is not None:
                found["terms"].append((f"{group} mentions '{term}'", float(effect[j])))
        elif group == "skills":
            found["skills"].append((f"skill: {term}", float(effect[j])))
        elif group in ("company", "location"):  # one-offs mostly: kept apart from the facts
            found["places"].append((names[j], float(effect[j])))
        elif group != "meaning" and names[j] not in NUMBER_GROUPS:
            rows = contrib.indices[contrib.indptr[j] : contrib.indptr[j + 1]]
            advertised = _currencies([currency[i] for i in rows]) if group == "pay" else ""
            found["facts"].append((_fact_driver(names[j], advertised), float(effect[j])))
    return {kind: _ranked(items, top) for kind, items in found.items()}


def _ranked(items: list[tuple[str, float]], top: int) -> dict[str, list[dict[str, Any]]]:
    ordered = sorted(items, key=lambda kv: kv[1])
    return {
        "raise": _distinct([(n, e) for n, e in ordered[::-1] if e > 0], top),
        "lower": _distinct([(n, e) for n, e in ordered if e < 0], top),
    }


def _distinct(items: list[tuple[str, float]], top: int) -> list[dict[str, Any]]:
    """The top items, without a phrase and the words inside it saying the same thing twice."""
    picked: list[tuple[str, float]] = []
    for label, effect in items:
        where, _, term = label.rstrip("'").partition(" '")
        if term and any(
            w == where and (term in t or t in term)
            for w, _, t in (p.rstrip("'").partition(" '") for p, _ in picked)
        ):
            continue
        picked.append((label, effect))
        if len(picked) == top:
            break
    return [_driver(n, e) for n, e in picked]


def _driver(label: str, effect: float) -> dict[str, Any]:
    return {"feature": label, "effect": round(effect, 6), "shown": significant(effect)}
