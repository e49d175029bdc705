"""Pay forms seen in real posting bodies, as synthetic strings: glued text, hourly wording,
decimals and em-dashes, tables by location or level, and amounts that are never pay."""

from __future__ import annotations

import pytest

from shared.extraction import PostingText, SalaryRange, extract_fields, parse_salary

FILLER = "We build tools that people love and we care about craft and kindness. " * 3


def _pay(text: str, **kwargs: object) -> SalaryRange | None:
    return parse_salary(FILLER + text, source="description", **kwargs)  # type: ignore[arg-type]


def _bounds(r: SalaryRange | None) -> tuple[object, ...] | None:
    if r is None:
        return None
    return (r.currency, r.period, r.min_amount, r.max_amount)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Line breaks dropped by a scraper glue the amount to the next words.
        ("Pay: $15/hourAs a Server you will greet guests.", ("USD", "hour", 15, 15)),
        ("Pay: $16.00dollars per hour, paid weekly.", ("USD", "hour", 16, 16)),
        ("Wage $20hour for all shifts.", ("USD", "hour", 20, 20)),
        ("Rate: 18.50/hourTraining provided.", ("USD", "hour", 18.5, 18.5)),
        # Hourly wording.
        ("Compensation: $16.00/hour + tips", ("USD", "hour", 16, 16)),
        ("Servers make $15-$20 average hourly pay.", ("USD", "hour", 15, 20)),
        ("Rate: $40/Hr on W2", ("USD", "hour", 40, 40)),
        ("Starting at $24 per hour!", ("USD", "hour", 24, None)),
        ("Location: 62/hour on W2 Required Pay Scale: depends", ("USD", "hour", 62, 62)),
        ("FTE salary: $120K/ Annum + benefits", ("USD", "year", 120000, 120000)),
        # A first figure with decimals, an em-dash range with the code after it.
        ("The salary range is $75,000.00 – $82,500", ("USD", "year", 75000, 82500)),
        ("Base pay range: $154,700—$209,300 USD", ("USD", "year", 154700, 209300)),
    ],
)
def test_body_pay_forms(text: str, expected: tuple[object, ...]) -> None:
    assert _bounds(_pay(text, location="Austin, TX")) == expected


def test_stated_period_is_not_noted_as_inferred() -> None:
    result = _pay("Servers make $15-$20 average hourly pay.")
    assert result is not None and result.note is None


@pytest.mark.parametrize(
    "text",
    [
        "We offer a $500 sign-on bonus and $20 per check for uniforms.",
        "401(k) match up to $2,000 a year and a $1,000 wellness budget.",
        "Benefits: $150 per month commuter allowance; company contributions of $3,000 to your HSA.",
        "Handles 30 per week and more than 60/minute.",
        "The office has 40/hour parking.",  # a bare rate needs pay words near it
    ],
)
def test_extras_are_never_pay(text: str) -> None:
    assert _pay(text, location="Austin, TX") is None


def test_pay_next_to_extras_keeps_the_pay() -> None:
    text = "Starting pay $24/hr. $500 sign-on bonus! 401(k) match up to $2,000. $20 per check."
    result = _pay(text)
    assert _bounds(result) == ("USD", "hour", 24, 24)
    assert result is not None and result.basis is None  # one range: no table


ZONES = (
    "The salary range by zone: US Zone 1: $100,000 - $120,000 USDUS Zone 2: $90,000 - "
    "$110,000 USDUS Zone 3: $80,000 - $95,000 USD"
)


def test_zone_table_without_the_posting_place_gives_the_envelope() -> None:
    result = _pay(ZONES, location="Austin, TX")
    assert _bounds(result) == ("USD", "year", 80000, 120000)
    assert result is not None
    assert (result.annual_min, result.annual_max) == (80000, 120000)
    assert result.basis == "range across 3 locations for the posting's country"


LOCATIONS = (
    "Pay ranges: Seattle, WA: $130,000 - $160,000; San Francisco, CA: $140,000 - $175,000; "
    "All other locations: $110,000 - $140,000."
)


@pytest.mark.parametrize(
    ("location", "bounds", "basis"),
    [
        ("Seattle, WA (Hybrid)", (130000, 160000), "range for the posting's location"),
        ("San Francisco Bay Area", (140000, 175000), "range for the posting's location"),
        ("Denver, CO", (110000, 175000), "range across 3 locations"),
        (None, (110000, 175000), "range across 3 locations"),
    ],
)
def test_location_table(location: str | None, bounds: tuple[int, int], basis: str) -> None:
    result = _pay(LOCATIONS, location=location)
    assert result is not None
    assert ((result.min_amount, result.max_amount), result.basis) == (bounds, basis)


LADDER = (
    "Summary pay range for Associate: $85,000.00 - $115,000.00Summary pay range for "
    "Experienced: $104,550.00 - $141,450.00Summary pay range for Senior: $125,000 - $160,000"
)


@pytest.mark.parametrize(
    ("title", "bounds", "basis"),
    [
        ("Software Engineer", (85000, 160000), "range across 3 levels"),
        ("Senior Software Engineer", (125000, 160000), "range for its title's level"),
        ("Associate Engineer", (85000, 115000), "range for its title's level"),
    ],
)
def test_level_ladder(title: str, bounds: tuple[int, int], basis: str) -> None:
    result = _pay(LADDER, location="Hazelwood, MO", title=title)
    assert result is not None
    assert ((result.min_amount, result.max_amount), result.basis) == (bounds, basis)


LOCATION_BY_LEVEL = (
    "Base salary by location and level: New York City (Hybrid On-Site): $274,800 - $313,600 "
    "for Distinguished Engineer; "
    "$321,500 - $366,900 for Sr Distinguished EngineerSan Francisco, California (Hybrid "
    "On-Site): $291,100 - $332,300 for Distinguished Engineer; $340,500 - $388,700 for Sr "
    "Distinguished EngineerRemote (Regardless of Location): $232,900 - $265,800 for "
    "Distinguished Engineer; $272,400 - $310,900 for Sr Distinguished Engineer"
)


def test_location_and_level_table() -> None:
    remote = _pay(
        LOCATION_BY_LEVEL, location="Cambridge, MA", title="Distinguished Engineer", remote=True
    )
    assert remote is not None
    assert (remote.min_amount, remote.max_amount) == (232900, 265800)
    assert remote.basis == "range for the posting's location and its title's level"
    nyc = _pay(LOCATION_BY_LEVEL, location="New York, NY", title="Principal Engineer")
    assert nyc is not None
    assert (nyc.min_amount, nyc.max_amount) == (274800, 366900)
    assert nyc.basis == "range across 2 levels for the posting's location"
    elsewhere = _pay(LOCATION_BY_LEVEL, location="Austin, TX", title="Engineer")
    assert elsewhere is not None
    assert (elsewhere.min_amount, elsewhere.max_amount) == (232900, 388700)
    assert elsewhere.basis == "range across 6 locations and levels"


def test_accented_location_matches_its_row() -> None:
    text = "Salary: Zurich: CHF 120,000 - 140,000; Geneva: CHF 115,000 - 135,000"
    result = _pay(text, location="Zürich, Zurich, Switzerland")
    assert result is not None
    assert (result.min_amount, result.max_amount) == (120000, 140000)


def test_extract_fields_reads_remote_title_for_the_table() -> None:
    doc = PostingText(
        title="Distinguished Engineer (Remote-Eligible)",
        location="Cambridge, MA",
        description_text=FILLER + LOCATION_BY_LEVEL,
    )
    salary = extract_fields(doc).salary
    assert salary is not None
    assert (salary.min_amount, salary.max_amount) == (232900, 265800)


def test_envelope_joins_only_ranges_of_one_currency_and_period() -> None:
    text = (
        "Pay: Austin: $24 - $28 an hour; Denver: $26 - $30 an hour; "
        "Remote contractors: €50,000 - €60,000 a year."
    )
    result = _pay(text, location="Boston, MA")
    assert _bounds(result) == ("USD", "hour", 24, 30)
    assert result is not None and result.basis == "range across 2 locations"


def test_lone_comparable_range_says_it_is_one_of_several() -> None:
    result = _pay("Pay: $24 - $28 an hour, or €50,000 - €60,000 a year.", location="Boston, MA")
    assert _bounds(result) == ("USD", "hour", 24, 28)
    assert result is not None and result.basis == "one of 2 listed ranges"
