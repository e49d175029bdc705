"""Pay from a LinkedIn pay block, a search card or free text.

Amounts are found by one compiled regex, paired into ranges by the connector between them,
filtered by context (benefits, funding and head counts are not pay), then one is chosen
(shared.extraction.pay_table: the posting's row of a table, else the table's envelope).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.extraction import currency
from shared.extraction.location import split_location
from shared.extraction.models import ANNUAL_FACTOR, SalaryRange
from shared.extraction.pay_table import PayOption, choose

_NUM = r"\d+(?:(?:[,.'’]|[\u2009\u202f\u00a0 ](?=\d{3}(?!\d)))\d+)*"
_MULT = (
    r"[kK](?![a-z])|M(?![a-z])|m(?![a-zA-Z])|mn(?![a-z])|million|thousand|lakhs?|lacs?|"
    r"crores?|LPA(?![a-z])"
)
_PER_UNIT = (
    r"hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mo|m|years?|yrs?|y|annum|ann|año|ano|an|"
    r"jahr|mois|mes|monat|heure|hora|stunde|std|tag|jour|semaine"
)
_PER_WORD = (
    r"hourly|daily|weekly|monthly|annually|annual|yearly|per\s+annum|p\.\s?a\.|pa|"
    r"a\s+year|an\s+hour|a\s+day|a\s+week|a\s+month"
)
_CUR = currency.CURRENCY_PATTERN
# An amount is read from its first digit; the currency before it is looked up separately
# (scanning for digits is much faster than trying every currency at every position).
_DIGIT = re.compile(r"\d")
AMOUNT = re.compile(
    rf"(?P<num>{_NUM})"
    rf"(?:[ \u00a0]?(?P<mult>{_MULT}))?"
    rf"(?:[ \u00a0]?(?P<suf>{_CUR}))?"
    rf"(?P<per>(?P<glued>hrs?|hours?|yrs?|years?|wk|mo)(?![a-z])|"
    rf"\s*(?:(?P<slash>/\s*|\bper\s+|\ban?\s+)(?P<unit>(?i:{_PER_UNIT}))|(?P<word>(?i:{_PER_WORD})))"
    r"(?![a-z]))?"
    r"(?P<plus>\+)?"
)
_PREFIX = re.compile(rf"(?:{_CUR})[ \u00a0]?\Z")
_PREFIX_CHARS = 8
_CONNECTOR = re.compile(r"\s*(?:-{1,2}|[–—‒―~]|to|and|through|bis|à|até)\s*", re.I)
_BETWEEN = re.compile(r"between\s*$", re.I)
# Labels may run on into the next word in flattened HTML ("MinimumSalary Range: $…").
_UP_TO = re.compile(
    r"(?:up\s*to|max(?:imum)?(?:\s+of)?|no more than|not to exceed|as high as|"
    r"(?:end|max(?:imum)?|high|top)\w*(?:\s+\w+){0,6}\s*:|max(?:imum)?)\s*$",
    re.I,
)
_FROM = re.compile(
    r"(?:from|starting(?:\s+(?:at|from))?|starts\s+at|begin(?:s|ning)?\s+at|"
    r"min(?:imum)?(?:\s+of)?|at least|no less than|in excess of|"
    r"(?:start(?:ing)?|min(?:imum)?|low)\w*(?:\s+\w+){0,6}\s*:)\s*$",
    re.I,
)
_EXTRAS = re.compile(
    r"\s*(?:bonus|equity|super|superannuation|commission|benefits|stock|incentive|rsus?|"
    r"ote|variable|allowance|shares|options|tips)",
    re.I,
)
# Words just before or after an amount that mark it as something other than pay.
_NOT_PAY_BEFORE = re.compile(
    r"\b(?:bonus|sign[- ]?on|relocation|reimburs\w*|allowance|budget|raised|funding|revenue|"
    r"valuation|seed|series [a-f]|grant|invest\w*|worth|fund|fee|price|cost|spend|donat\w*|"
    r"credits?|award|prize|assets|arr|sales|loan|stipend for|referral|match\w*|"
    r"contribut\w*|retention|signing|401\s?\(?k\)?|403\s?\(?b\)?|hsa|fsa)\W{0,12}"
    r"(?:(?:of|up to|to|is|at|worth|over|around|about|nearly|more than|exceeding)\W+)*$"
    # Benefits may name what they pay for first: "tuition reimbursement for X up to $…".
    r"|\b(?:reimburs\w*|allowance|budget|tuition|fitness|wellness|gym|commuter|401\s?\(?k\)?|"
    r"match\w*|contribut\w*)"
    r"(?:\W+\w+){0,4}?\W+(?:of|up to|at|worth|is)\W*$",
    re.I,
)
_NOT_PAY_AFTER = re.compile(
    r"^[^\w.;!?]{0,3}(?:in\s+|of\s+)?(?:\w+\s+){0,2}?\b(?:reimburs|allowance|budget|raised|funding|"
    r"revenue|valuation|seed|series|sign[- ]?on|relocation|bonus|credit|stipend for|in assets|"
    r"assets|aum|arr|in sales|employees|customers|users|grant|investment|capital|fund|"
    r"per employee|learning|education|wellness|fitness|referral|check|paycheck|match\w*|"
    r"contribut\w*|401)",
    re.I,
)
_PAY_CONTEXT = re.compile(
    r"salar|pay|compensation|wage|\brate|range|base|\bote\b|earn|remunerat|stipend|income|"
    r"\bcomp\b|hiring|annual|hourly|\bctc\b|package|\bw-?2\b|\bc2c\b|\$\s*$",
    re.I,
)
# A period stated a few words after the amount: "$15-$20 average hourly pay",
# "$16.00dollars per hour" (line breaks lost by a scraper glue words together).
_PERIOD_AFTER = re.compile(
    r"\s*(?:dollars?\s*|usd\s*)?(?:[a-z]+\s+){0,2}?"
    r"(?:(?:per|an?|/)\s*(?P<unit>hour|hr|day|week|month|year|annum)|"
    r"(?P<word>hourly|daily|weekly|monthly|annually|yearly))(?![a-z])",
    re.I,
)
# How far around a bare amount ("62/hour", no currency) pay words must appear.
_BARE_CONTEXT_CHARS = 100
_ESTIMATE = re.compile(r"\(\s*LinkedIn\s+est", re.I)
_MULT_VALUE = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "thousand": 1e3, "lpa": 1e5}
_UNIT_PERIOD = {
    "h": "hour",
    "hour": "hour",
    "hr": "hour",
    "heure": "hour",
    "hora": "hour",
    "stunde": "hour",
    "std": "hour",
    "d": "day",
    "day": "day",
    "tag": "day",
    "jour": "day",
    "w": "week",
    "week": "week",
    "wk": "week",
    "semaine": "week",
    "mo": "month",
    "m": "month",
    "month": "month",
    "mois": "month",
    "mes": "month",
    "monat": "month",
    "y": "year",
    "year": "year",
    "yr": "year",
    "annum": "year",
    "ann": "year",
    "año": "year",
    "ano": "year",
    "an": "year",
    "jahr": "year",
}
_WORD_PERIOD = {"hour": "hour", "dai": "day", "day": "day", "wee": "week", "mon": "month"}
_ADVERB_PERIOD = {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "annually": "year",
    "yearly": "year",
}
# A text this short is itself a pay snippet; longer text needs pay words around an amount.
_SNIPPET_CHARS = 120
# How far before an amount its label ("Maximum", "up to", "reimbursement for … of") is read.
_LABEL_CHARS = 60
_CONTEXT_CHARS = 200
# Plausible yearly pay in USD-equivalents, for reading periods from magnitudes.
_MIN_ANNUAL_USD = 1_000.0
_MAX_ANNUAL_USD = 20_000_000.0


@dataclass
class _Amount:
    start: int
    end: int
    value: float
    raw: float  # before the multiplier, to let "120-150K" share the K
    mult: float
    currency: str | None
    period: str | None
    plus: bool
    # "/hour" written right after the number: lets a bare number be read as pay.
    rate: bool = False


@dataclass
class _Candidate:
    start: int
    end: int
    currency: str
    period: str | None
    low: float | None
    high: float | None
    explicit_period: bool
    # No currency was written: it is the posting country's, and pay words must be near.
    bare: bool = False


def parse_number(raw: str) -> float:
    """'1,200,000.00', '756.000,00', '60.000', '12,00,000', "1'200", '159.8' -> float."""
    s = re.sub(r"[\s\u2009\u202f\u00a0'’]", "", raw)
    last = max(s.rfind(","), s.rfind("."))
    if last == -1:
        return float(s)
    sep = s[last]
    tail = s[last + 1 :]
    other = "." if sep == "," else ","
    # A lone separator followed by exactly three digits groups thousands ("60.000").
    is_decimal = len(tail) != 3 and (s.count(sep) == 1 or other in s[:last])
    if other in s[:last] and len(tail) <= 2:
        is_decimal = True
    if is_decimal:
        return float(s[:last].replace(",", "").replace(".", "") + "." + tail)
    return float(s.replace(",", "").replace(".", ""))


def _mult(token: str | None) -> float:
    if not token:
        return 1.0
    t = token.lower()
    if t.startswith(("lakh", "lac")):
        return 1e5
    if t.startswith("crore"):
        return 1e7
    return _MULT_VALUE.get(t, 1.0)


def _period(m: re.Match[str]) -> str | None:
    unit = m.group("unit") or m.group("glued")
    if unit:
        u = unit.lower()
        return _UNIT_PERIOD.get(u) or _UNIT_PERIOD.get(u.rstrip("s"))
    word = m.group("word")
    if word:
        w = word.lower()
        if w.startswith(("hour", "an hour", "a day", "a week", "a month")):
            return {"an hour": "hour", "a day": "day", "a week": "week", "a month": "month"}.get(
                w, "hour"
            )
        return _WORD_PERIOD.get(w[:3], "year")
    mult = (m.group("mult") or "").upper()
    return "year" if mult == "LPA" else None


def _amounts(text: str, country: str | None) -> list[_Amount]:
    out = []
    pos = 0
    while (d := _DIGIT.search(text, pos)) is not None:
        start = d.start()
        pre = _PREFIX.search(text, max(0, start - _PREFIX_CHARS), start)
        m = AMOUNT.match(text, start)
        assert m is not None  # a digit always starts a number
        pos = m.end()
        if pre is None and start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.,"):
            continue  # part of a word or code ("W24", "v1.2")
        cur_token = m.group("suf") or (pre.group().strip() if pre else None)
        try:
            raw = parse_number(m.group("num"))
        except ValueError:
            continue
        mult = _mult(m.group("mult"))
        out.append(
            _Amount(
                start=pre.start() if pre else start,
                end=m.end(),
                value=raw * mult,
                raw=raw,
                mult=mult,
                currency=currency.resolve(cur_token, country) if cur_token else None,
                period=_period(m),
                plus=bool(m.group("plus")) and not _EXTRAS.match(text, m.end()),
                rate=(m.group("slash") or "").startswith("/"),
            )
        )
    return out


def _pair(text: str, amounts: list[_Amount]) -> list[tuple[_Amount, _Amount | None]]:
    """Join neighbouring amounts linked by a dash, 'to', or 'between … and' into ranges."""
    pairs: list[tuple[_Amount, _Amount | None]] = []
    i = 0
    while i < len(amounts):
        a = amounts[i]
        if i + 1 < len(amounts):
            b = amounts[i + 1]
            gap = text[a.end : b.start]
            m = _CONNECTOR.fullmatch(gap)
            if m and (
                "and" not in gap.lower() or _BETWEEN.search(text, max(0, a.start - 12), a.start)
            ):
                pairs.append((a, b))
                i += 2
                continue
        pairs.append((a, None))
        i += 1
    return pairs


def _period_after(text: str, end: int) -> str | None:
    m = _PERIOD_AFTER.match(text, end)
    if m is None:
        return None
    if m.group("unit"):
        return _UNIT_PERIOD[m.group("unit").lower()]
    return _ADVERB_PERIOD[m.group("word").lower()]


def _candidate(
    text: str, a: _Amount, b: _Amount | None, country: str | None
) -> _Candidate | str | None:
    """A candidate, a reason string when it is rejected, or None when it is not money."""
    last = b or a
    cur = a.currency or (b.currency if b else None)
    bare = False
    if cur is None:
        # "62/hour on W2": a rate with no currency is in the posting country's money.
        cur = currency.CURRENCY_BY_COUNTRY.get(country or "") if last.rate else None
        if cur is None:
            return None
        bare = True
    if b is not None and b.currency and a.currency and a.currency != b.currency:
        return "flagged: mixed currencies"
    if b is None:
        period = a.period or _period_after(text, a.end)
        explicit = period is not None
        before = text[max(0, a.start - _LABEL_CHARS) : a.start]
        if _UP_TO.search(before):
            return _Candidate(a.start, a.end, cur, period, None, a.value, explicit, bare)
        if a.plus or _FROM.search(before):
            return _Candidate(a.start, a.end, cur, period, a.value, None, explicit, bare)
        return _Candidate(a.start, a.end, cur, period, a.value, a.value, explicit, bare)
    if a.period and b.period and a.period != b.period:
        return "flagged: mixed periods"
    low = a.value
    if a.mult == 1.0 and b.mult > 1.0 and a.raw <= b.raw:
        low = a.raw * b.mult  # "$120-150K": the K belongs to both
    period = a.period or b.period or _period_after(text, b.end)
    if low > b.value:
        return "flagged: minimum above maximum"
    return _Candidate(a.start, b.end, cur, period, low, b.value, period is not None, bare)


def _infer_period(c: _Candidate) -> str | None:
    """Read the period from the magnitude: yearly pay is the commonest, then hourly, then
    monthly; daily and weekly amounts overlap too much to guess, so they need a label."""
    ref = max(v for v in (c.low, c.high) if v is not None)
    usd = ref / currency.USD_SCALE.get(c.currency, 1.0)
    if usd >= 15_000:
        return "year"
    if usd <= 150:
        return "hour" if usd >= 5 else None
    if usd >= 1_250:
        return "month"
    return None


def _finish(c: _Candidate, source: str) -> SalaryRange | str:
    note: str | None = None
    period = c.period or _infer_period(c)
    if period is None:
        return "flagged: period unclear"
    if c.period is None:
        note = f"period {period} inferred from the amount"
    low, high = c.low, c.high
    scale = currency.USD_SCALE.get(c.currency, 1.0)
    ref = max(v for v in (low, high) if v is not None)
    annual_usd = ref * ANNUAL_FACTOR[period] / scale
    if period == "year" and c.explicit_period and annual_usd < _MIN_ANNUAL_USD:
        # "$55.00/yr - $65.00/yr": no yearly pay is that small; the K was left out.
        low = low * 1000 if low is not None else None
        high = high * 1000 if high is not None else None
        annual_usd *= 1000
        note = "flagged: yearly amounts below 1,000 read as thousands"
    if not _MIN_ANNUAL_USD <= annual_usd <= _MAX_ANNUAL_USD:
        return "flagged: implausible amount"
    factor = ANNUAL_FACTOR[period]
    return SalaryRange(
        currency=c.currency,
        period=period,  # type: ignore[arg-type]
        min_amount=low,
        max_amount=high,
        annual_min=round(low * factor, 2) if low is not None else None,
        annual_max=round(high * factor, 2) if high is not None else None,
        source=source,
        note=note,
    )


def _is_pay(text: str, c: _Candidate, strict: bool, last_pay_end: int | None) -> bool:
    before = text[max(0, c.start - _LABEL_CHARS) : c.start]
    if _NOT_PAY_BEFORE.search(before):
        return False
    after = text[c.end : c.end + 40]
    # "$136,000-$200,000 + bonus": extras on top of pay do not make it something else.
    plus_extras = text[c.end - 1] == "+" or after.lstrip().startswith("+")
    if not plus_extras and _NOT_PAY_AFTER.search(after):
        return False
    if c.bare:
        around = text[max(0, c.start - _BARE_CONTEXT_CHARS) : c.end + _BARE_CONTEXT_CHARS]
        return bool(_PAY_CONTEXT.search(around))
    if not strict or c.explicit_period:
        return True
    # A list of ranges (by location or level) is pay as a whole once its head is.
    if last_pay_end is not None and c.start - last_pay_end <= _CONTEXT_CHARS:
        return True
    return bool(_PAY_CONTEXT.search(text, max(0, c.start - _CONTEXT_CHARS), c.start))


def _merge_open(text: str, cands: list[_Candidate]) -> list[_Candidate]:
    """'Starting pay: $100,880 … Range end: $167,520' is one range stated as two bounds."""
    out: list[_Candidate] = []
    for c in cands:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.high is None
            and c.low is None
            and prev.currency == c.currency
            and (prev.period == c.period or None in (prev.period, c.period))
            and c.start - prev.end <= 60
            and prev.low is not None
            and c.high is not None
            and prev.low <= c.high
        ):
            out[-1] = _Candidate(
                prev.start,
                c.end,
                c.currency,
                prev.period or c.period,
                prev.low,
                c.high,
                prev.explicit_period or c.explicit_period,
            )
        else:
            out.append(c)
    return out


def parse_salary(
    text: str,
    location: str | None = None,
    *,
    source: str = "text",
    title: str | None = None,
    remote: bool = False,
) -> SalaryRange | None:
    """The pay stated in `text`, or None when there is none (or it cannot be read safely).

    `location` is the posting's own location: it tells which dollar "$" is and, with the
    title's level and whether the posting is `remote`, picks the posting's row of a pay
    table (else the table's envelope; `basis` says which). Free text (source "description",
    or anything longer than a snippet) must show pay words near an amount, or a period, for
    it to count as pay."""
    if not text:
        return None
    text = " ".join(text.split())
    country = split_location(location).country
    strict = source == "description" or len(text) > _SNIPPET_CHARS
    cands: list[_Candidate] = []
    rejected: list[str] = []
    last_pay_end: int | None = None
    for a, b in _pair(text, _amounts(text, country)):
        cand = _candidate(text, a, b, country)
        if isinstance(cand, str):
            rejected.append(cand)
        elif cand is not None and _is_pay(text, cand, strict, last_pay_end):
            cands.append(cand)
            last_pay_end = cand.end
    found: dict[tuple[object, ...], PayOption] = {}
    for cand in _merge_open(text, cands):
        result = _finish(cand, source)
        if isinstance(result, SalaryRange):
            key = (result.currency, result.period, result.min_amount, result.max_amount)
            found.setdefault(key, PayOption(cand.start, cand.end, result))
        else:
            rejected.append(result)
    if not found:
        return None
    chosen = choose(text, list(found.values()), location=location, title=title, remote=remote)
    if _ESTIMATE.search(text):
        chosen = _add_note(chosen, "flagged: LinkedIn estimate, not stated by the employer")
    if rejected:
        chosen = _add_note(chosen, "ignored " + ", ".join(sorted(set(rejected))))
    return chosen


def _add_note(r: SalaryRange, note: str) -> SalaryRange:
    return r.model_copy(update={"note": f"{r.note}; {note}" if r.note else note})
