"""parse_salary: pay blocks, cards and free text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shared.extraction import SalaryRange, parse_salary
from shared.extraction.salary import parse_number

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
STRINGS = DATASETS / "salary_strings.tsv"


def _rows() -> list[dict[str, str]]:
    with STRINGS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _within(value: float | None, expected: str) -> bool:
    if expected == "":
        return value is None
    return value is not None and abs(value - float(expected)) <= 0.01 * float(expected)


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["input"][:40])
def test_salary_strings_dataset(row: dict[str, str]) -> None:
    result = parse_salary(row["input"].replace("\\n", "\n"))
    if "REJECT" in row["note"] or not row["currency"]:
        assert result is None
        return
    assert result is not None
    assert result.currency == row["currency"]
    assert _within(result.annual_min, row["min_annual"])
    assert _within(result.annual_max, row["max_annual"])


def _r(
    currency: str,
    period: str,
    lo: float | None,
    hi: float | None,
    alo: float | None,
    ahi: float | None,
) -> tuple[object, ...]:
    return (currency, period, lo, hi, alo, ahi)


def _key(r: SalaryRange | None) -> tuple[object, ...] | None:
    if r is None:
        return None
    return (r.currency, r.period, r.min_amount, r.max_amount, r.annual_min, r.annual_max)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$90,000.00/yr - $120,000.00/yr", _r("USD", "year", 90000, 120000, 90000, 120000)),
        ("US$ 90K – 110K", _r("USD", "year", 90000, 110000, 90000, 110000)),
        ("CA$130,000/yr", _r("CAD", "year", 130000, 130000, 130000, 130000)),
        ("A$90k - A$110k", _r("AUD", "year", 90000, 110000, 90000, 110000)),
        ("SGD 11,000/mo — SGD 13,000/mo", _r("SGD", "month", 11000, 13000, 132000, 156000)),
        ("CHF 120'000 – 140'000", _r("CHF", "year", 120000, 140000, 120000, 140000)),
        ("CHF 120\u2009000 to 140\u2009000", _r("CHF", "year", 120000, 140000, 120000, 140000)),
        ("€60.000 - €70.000 per year", _r("EUR", "year", 60000, 70000, 60000, 70000)),
        ("60.000,00 EUR - 70.000,00 EUR", _r("EUR", "year", 60000, 70000, 60000, 70000)),
        ("₹12,00,000 - ₹18,00,000", _r("INR", "year", 1200000, 1800000, 1200000, 1800000)),
        ("INR 12 LPA", _r("INR", "year", 1200000, 1200000, 1200000, 1200000)),
        ("£400 per day", _r("GBP", "day", 400, 400, 104000, 104000)),
        ("$1,500/wk", _r("USD", "week", 1500, 1500, 78000, 78000)),
        ("between $50 and $60 an hour", _r("USD", "hour", 50, 60, 104000, 124800)),
        ("$120-150K", _r("USD", "year", 120000, 150000, 120000, 150000)),
        ("$1.2M - $1.5M", _r("USD", "year", 1.2e6, 1.5e6, 1.2e6, 1.5e6)),
        ("up to $200,000", _r("USD", "year", None, 200000, None, 200000)),
        ("Starting at $25/hr", _r("USD", "hour", 25, None, 52000, None)),
        ("from €4,000/month", _r("EUR", "month", 4000, None, 48000, None)),
        ("£80,000+", _r("GBP", "year", 80000, None, 80000, None)),
        ("$80,000+ bonus", _r("USD", "year", 80000, 80000, 80000, 80000)),
        ("$100K - $150K + super", _r("AUD", "year", 100000, 150000, 100000, 150000)),
        ("$45 - $60", _r("USD", "hour", 45, 60, 93600, 124800)),
        ("$5,000 monthly", _r("USD", "month", 5000, 5000, 60000, 60000)),
        ("$100,000 - 120,000", _r("USD", "year", 100000, 120000, 100000, 120000)),
    ],
)
def test_parse_salary_forms(text: str, expected: tuple[object, ...]) -> None:
    location = "Sydney, New South Wales, Australia" if "super" in text else None
    assert _key(parse_salary(text, location)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Competitive",
        "$20/hr - $40,000/yr",
        "$160,000/yr - $150,000/yr",
        "$300 - $400",  # a day or a week: no label, so no guess
        "401(k) with 6% match and a 401k plan",
        "We are 5,000 employees in 2024 and need 5+ years of experience.",
        "We raised $20M in Series B funding last year, growing revenue to $5M.",
        "Benefits include up to $300 fitness reimbursement and a $1,000 learning budget.",
        "A $5,000 sign-on bonus is available.",
    ],
)
def test_not_pay_gives_none(text: str) -> None:
    assert parse_salary(text) is None


def test_description_needs_pay_words() -> None:
    filler = "We value ownership and kindness across every team we build together. " * 2
    text = filler + "Our office at 1,200 Market Street has a $40 parking pass for everyone."
    assert parse_salary(text, source="description") is None
    paid = filler + "The base salary range for this role is $136,000-$200,000 + bonus + equity."
    assert _key(parse_salary(paid, source="description")) == _r(
        "USD", "year", 136000, 200000, 136000, 200000
    )


def test_picks_range_for_posting_location() -> None:
    text = (
        "The hiring range for this position in Seattle, WA is $117,998 to $158,290 per year; "
        "in Santa Monica, California it is $112,586 to $151,030 per year; and in San "
        "Francisco, California it is $130,000 to $190,000 per year."
    )
    result = parse_salary(text, "Seattle, WA", source="description")
    assert result is not None
    assert (result.min_amount, result.max_amount) == (117998, 158290)
    assert result.basis == "range for the posting's location"
    other = parse_salary(text, "Austin, TX", source="description")
    assert other is not None
    assert (other.min_amount, other.max_amount) == (112586, 190000)
    assert other.basis == "range across 3 locations"


def test_picks_country_range_over_envelope() -> None:
    text = (
        "The typical base pay range for this role across the U.S. is USD $94,300 - $182,600 "
        "per year. In the San Francisco Bay area and New York City metropolitan area the base "
        "pay range is USD $120,900 - $230,600 per year."
    )
    result = parse_salary(text, "Redmond, WA", source="description")
    assert result is not None
    assert (result.min_amount, result.max_amount) == (94300, 182600)
    assert result.basis == "range for the posting's country"


def test_start_and_end_bounds_form_one_range() -> None:
    text = "Compensation Range, Currency USD: Starting Pay Range: $100,880 Pay Range End: $167,520"
    assert _key(parse_salary(text)) == _r("USD", "year", 100880, 167520, 100880, 167520)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("The base salary will begin at $119,000 and up to $232,200. Bonus too.", (119000, 232200)),
        (
            "MinimumSalary Range or On Target Earnings:$137,500.00Maximum$220,000.00",
            (137500, 220000),
        ),
        ("Compensation: $50hr to $65/hr. Benefits.", (50, 65)),
    ],
)
def test_bounds_stated_apart(text: str, bounds: tuple[float, float]) -> None:
    result = parse_salary(text)
    assert result is not None
    assert (result.min_amount, result.max_amount) == bounds


def test_benefit_amounts_named_before_are_not_pay() -> None:
    text = (
        "Tuition reimbursement for higher education up to $10,000 per year. The typical base "
        "pay range for this role is between $77,951 - $98,354."
    )
    result = parse_salary(text, source="description")
    assert result is not None
    assert (result.min_amount, result.max_amount, result.note) == (
        77951,
        98354,
        "period year inferred from the amount",
    )


def test_linkedin_estimate_is_flagged() -> None:
    result = parse_salary("$117,000/yr - $199,000/yr (LinkedIn est.)")
    assert result is not None
    assert result.note == "flagged: LinkedIn estimate, not stated by the employer"


def test_dollar_follows_posting_country() -> None:
    result = parse_salary("$90,000 - $110,000", "Toronto, Ontario, Canada")
    assert result is not None and result.currency == "CAD"


def test_tiny_yearly_amounts_are_flagged_thousands() -> None:
    result = parse_salary("$55.00/yr - $65.00/yr")
    assert _key(result) == _r("USD", "year", 55000, 65000, 55000, 65000)
    assert result is not None
    assert result.note == "flagged: yearly amounts below 1,000 read as thousands"


def test_inferred_period_is_noted_and_source_kept() -> None:
    result = parse_salary("$116,002.00 - $137,000.00", source="card")
    assert result is not None
    assert (result.period, result.source) == ("year", "card")
    assert result.note == "period year inferred from the amount"


def test_rejected_range_is_reported_next_to_chosen_one() -> None:
    text = "Pay: $160,000/yr - $150,000/yr (typo); corrected range $150,000/yr - $160,000/yr."
    result = parse_salary(text)
    assert result is not None
    assert (result.min_amount, result.max_amount) == (150000, 160000)
    assert result.note == "ignored flagged: minimum above maximum"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,200,000.00", 1200000.0),
        ("756.000,00", 756000.0),
        ("60.000", 60000.0),
        ("12,00,000", 1200000.0),
        ("1'200", 1200.0),
        ("159.8", 159.8),
        ("15.50", 15.5),
        ("137,750.00", 137750.0),
    ],
)
def test_parse_number(raw: str, value: float) -> None:
    assert parse_number(raw) == value
