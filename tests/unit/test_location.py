"""split_location over every location form in the real LinkedIn pages of
../shared/fixtures/linkedin, the stand-in's generator, and the forms LinkedIn writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.sandbox.generator import PLACES, WORKPLACES
from services.sandbox.generator import Place as GenPlace
from shared.extraction import PostingText, extract_fields
from shared.extraction.location import Place, split_location
from shared.linkedin import parse_posting, parse_search

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "linkedin"
US, UK, CA = "United States", "United Kingdom", "Canada"

# Every location the fixtures hold, with what it means.
FIXTURE_PLACES: dict[str, Place] = {
    "Acton, MA": Place("Acton", "Massachusetts", US),
    "Arlington, VA": Place("Arlington", "Virginia", US),
    "Atlanta, GA": Place("Atlanta", "Georgia", US),
    "Austin, TX": Place("Austin", "Texas", US),
    "Bengaluru East, Karnataka, India": Place("Bengaluru East", "Karnataka", "India"),
    "Bogota, D.C., Capital District, Colombia": Place("Bogota", "Capital District", "Colombia"),
    "Brazil": Place(None, None, "Brazil"),
    "Brooklyn, NY": Place("Brooklyn", "New York", US),
    "Burbank, CA": Place("Burbank", "California", US),
    "Calgary, Alberta, Canada": Place("Calgary", "Alberta", CA),
    "Cambridge, MA": Place("Cambridge", "Massachusetts", US),
    "Cebu, Central Visayas, Philippines": Place("Cebu", "Central Visayas", "Philippines"),
    "Chicago, IL": Place("Chicago", "Illinois", US),
    "Deerfield Beach, FL": Place("Deerfield Beach", "Florida", US),
    "Durham, NC": Place("Durham", "North Carolina", US),
    "Egypt": Place(None, None, "Egypt"),
    "England, United Kingdom": Place(None, "England", UK),
    "Glendale, AZ": Place("Glendale", "Arizona", US),
    "Greater Buenos Aires": Place("Buenos Aires", "Buenos Aires", "Argentina"),
    "India": Place(None, None, "India"),
    "Islamabad, Islāmābād, Pakistan": Place("Islamabad", "Islāmābād", "Pakistan"),
    "Japan": Place(None, None, "Japan"),
    "Lyon, Auvergne-Rhône-Alpes, France": Place("Lyon", "Auvergne-Rhône-Alpes", "France"),
    "Melbourne, Victoria, Australia": Place("Melbourne", "Victoria", "Australia"),
    "Menomonee Falls, WI": Place("Menomonee Falls", "Wisconsin", US),
    "Minneapolis, MN": Place("Minneapolis", "Minnesota", US),
    "Mountain View, CA": Place("Mountain View", "California", US),
    "New York, NY": Place("New York", "New York", US),
    "New York, United States": Place(None, "New York", US),
    "Ottawa, Ontario, Canada": Place("Ottawa", "Ontario", CA),
    "Plano, TX": Place("Plano", "Texas", US),
    "Plymouth, MN": Place("Plymouth", "Minnesota", US),
    "Poland": Place(None, None, "Poland"),
    "Portland, ME": Place("Portland", "Maine", US),
    "Portugal": Place(None, None, "Portugal"),
    "San Francisco, CA": Place("San Francisco", "California", US),
    "Scotland, United Kingdom": Place(None, "Scotland", UK),
    "Singapore": Place(None, None, "Singapore"),
    "Spain": Place(None, None, "Spain"),
    "Springfield, Illinois Metropolitan Area": Place("Springfield", "Illinois", US),
    "St. Petersburg, FL": Place("St. Petersburg", "Florida", US),
    "Tampa, FL": Place("Tampa", "Florida", US),
    "Toronto, Ontario, Canada": Place("Toronto", "Ontario", CA),
    "Ukraine": Place(None, None, "Ukraine"),
    "United Kingdom": Place(None, None, UK),
    "United States": Place(None, None, US),
    "Warren, MI": Place("Warren", "Michigan", US),
    "Zurich, Zurich, Switzerland": Place("Zurich", "Zurich", "Switzerland"),
}


def _fixture_locations() -> set[str]:
    found: set[str] = set()
    for path in FIXTURES.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        if path.name.startswith("search"):
            found |= {c.location for c in parse_search(html) if c.location}
        else:
            location = parse_posting(html).location
            if location:
                found.add(location)
    return found


def test_every_fixture_location_is_covered() -> None:
    assert _fixture_locations() == set(FIXTURE_PLACES)


@pytest.mark.parametrize("location", sorted(FIXTURE_PLACES))
def test_fixture_locations(location: str) -> None:
    assert split_location(location) == FIXTURE_PLACES[location]


# The generator's ISO country codes, as LinkedIn names the countries.
COUNTRY_NAMES = {
    "US": US,
    "GB": UK,
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "CH": "Switzerland",
    "CA": CA,
    "AU": "Australia",
    "IN": "India",
    "SG": "Singapore",
}


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.location)
@pytest.mark.parametrize("workplace", [None, *WORKPLACES])
def test_generator_locations(place: GenPlace, workplace: str | None) -> None:
    location = place.location
    text = f"{location} ({workplace})" if workplace else location
    got = split_location(text)
    assert got.country == COUNTRY_NAMES[place.country]
    assert got.workplace == (workplace.lower() if workplace else None)
    # The suffix never leaks into the names.
    assert got == split_location(location)._replace(workplace=got.workplace)
    assert "(" not in "".join(filter(None, got[:3]))


@pytest.mark.parametrize(
    ("location", "place"),
    [
        (
            "Geneva, Geneva, Switzerland (Hybrid)",
            Place("Geneva", "Geneva", "Switzerland", "hybrid"),
        ),
        ("Seattle, WA (Hybrid)", Place("Seattle", "Washington", US, "hybrid")),
        ("Berlin, Germany (On-site)", Place("Berlin", None, "Germany", "on-site")),
        ("United States (Remote)", Place(None, None, US, "remote")),
        ("Greater Seattle Area", Place("Seattle", "Washington", US)),
        ("Greater Madrid Metropolitan Area", Place("Madrid", "Community of Madrid", "Spain")),
        ("Berlin Metropolitan Area", Place("Berlin", "Berlin", "Germany")),
        ("Greater Zürich Area", Place("Zürich", "Zurich", "Switzerland")),
        ("Sydney NSW", Place("Sydney", "New South Wales", "Australia")),
        ("Melbourne VIC (Hybrid)", Place("Melbourne", "Victoria", "Australia", "hybrid")),
        ("Seattle WA", Place("Seattle", "Washington", US)),
        ("Toronto, ON", Place("Toronto", "Ontario", CA)),
        ("Toronto ON", Place("Toronto", "Ontario", CA)),
        ("São Paulo, São Paulo, Brazil", Place("São Paulo", "São Paulo", "Brazil")),
        ("Île-de-France, France", Place(None, "Île-de-France", "France")),
        ("Seoul, Korea, Republic of", Place("Seoul", None, "South Korea")),
        ("Shanghai, Mainland China", Place("Shanghai", None, "China")),
        ("Hong Kong SAR", Place(None, None, "Hong Kong")),
        ("Istanbul, Türkiye", Place("Istanbul", None, "Turkey")),
        ("Prague, Czechia", Place("Prague", None, "Czechia")),
        ("München, Bayern, Deutschland", Place("München", "Bayern", "Germany")),
        ("Atlanta, Georgia", Place("Atlanta", "Georgia", US)),
        ("EMEA", Place(None, "EMEA", None)),
    ],
)
def test_linkedin_location_forms(location: str, place: Place) -> None:
    assert split_location(location) == place


@pytest.mark.parametrize(
    ("label", "location", "expected"),
    [
        (None, "Seattle, WA (Hybrid)", "hybrid"),
        (None, "Berlin, Germany (On-site)", "on-site"),
        (None, "Geneva, Geneva, Switzerland (Remote)", "remote"),
        ("Remote", "Berlin, Germany (On-site)", "remote"),  # the page's own label wins
    ],
)
def test_workplace_suffix_sets_workplace_without_label(
    label: str | None, location: str, expected: str
) -> None:
    doc = PostingText(location=location, workplace_type=label, description_text="Join us.")
    fields = extract_fields(doc)
    assert fields.workplace_type == expected
    assert fields.country == split_location(location).country
