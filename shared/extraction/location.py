"""Split a LinkedIn location ("Zürich, Zurich, Switzerland", "San Francisco, CA",
"London Area, United Kingdom", "Remote", "United States") into city, region and country."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
}
CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
}
AU_STATES: dict[str, str] = {
    "NSW": "New South Wales",
    "VIC": "Victoria",
    "QLD": "Queensland",
    "SA": "South Australia",
    "TAS": "Tasmania",
    "ACT": "Australian Capital Territory",
    "NT": "Northern Territory",
    # "WA" is read as Washington: US postings are far more common.
}
COUNTRIES: frozenset[str] = frozenset(
    {
        "United States",
        "Canada",
        "Mexico",
        "Brazil",
        "Argentina",
        "Chile",
        "Colombia",
        "Peru",
        "United Kingdom",
        "Ireland",
        "France",
        "Germany",
        "Netherlands",
        "Belgium",
        "Luxembourg",
        "Switzerland",
        "Austria",
        "Italy",
        "Spain",
        "Portugal",
        "Denmark",
        "Norway",
        "Sweden",
        "Finland",
        "Iceland",
        "Poland",
        "Czechia",
        "Czech Republic",
        "Slovakia",
        "Hungary",
        "Romania",
        "Bulgaria",
        "Greece",
        "Croatia",
        "Serbia",
        "Slovenia",
        "Estonia",
        "Latvia",
        "Lithuania",
        "Ukraine",
        "Turkey",
        "Türkiye",
        "Israel",
        "United Arab Emirates",
        "Saudi Arabia",
        "Qatar",
        "Egypt",
        "Morocco",
        "Nigeria",
        "Kenya",
        "South Africa",
        "India",
        "Pakistan",
        "Bangladesh",
        "Sri Lanka",
        "Singapore",
        "Malaysia",
        "Indonesia",
        "Thailand",
        "Vietnam",
        "Philippines",
        "China",
        "Hong Kong",
        "Hong Kong SAR",
        "Taiwan",
        "Japan",
        "South Korea",
        "Korea",
        "Australia",
        "New Zealand",
        "Cyprus",
        "Malta",
        "Russia",
        "Costa Rica",
        "Uruguay",
        "Ecuador",
        "Guatemala",
        "Dominican Republic",
        "Puerto Rico",
        "Ghana",
        "Tunisia",
        "Jordan",
        "Lebanon",
        "Kuwait",
        "Bahrain",
        "Oman",
        "Nepal",
        "Macao",
        "Côte d'Ivoire",
        "Bosnia and Herzegovina",
        "North Macedonia",
        "Albania",
        "Moldova",
        "Armenia",
        "Kazakhstan",
        "Uzbekistan",
        "Belarus",
    }
)
COUNTRY_ALIASES: dict[str, str] = {
    "USA": "United States",
    "US": "United States",
    "U.S.": "United States",
    "UK": "United Kingdom",
    "England": "United Kingdom",
    "Scotland": "United Kingdom",
    "Wales": "United Kingdom",
    "UAE": "United Arab Emirates",
    "Czech Republic": "Czechia",
    "Hong Kong SAR": "Hong Kong",
    "Türkiye": "Turkey",
    "Korea": "South Korea",
    "Republic of Korea": "South Korea",
    "Korea, Republic of": "South Korea",
    "Mainland China": "China",
    "Macao SAR": "Macao",
    "The Netherlands": "Netherlands",
    "Russian Federation": "Russia",
    "Viet Nam": "Vietnam",
    "Republic of Ireland": "Ireland",
    # Local-language names, on LinkedIn's country subdomains.
    "Deutschland": "Germany",
    "Schweiz": "Switzerland",
    "Suisse": "Switzerland",
    "Svizzera": "Switzerland",
    "Österreich": "Austria",
    "España": "Spain",
    "Italia": "Italy",
    "Brasil": "Brazil",
    "México": "Mexico",
    "Nederland": "Netherlands",
    "Belgique": "Belgium",
    "België": "Belgium",
    "Polska": "Poland",
    "Sverige": "Sweden",
    "Danmark": "Denmark",
    "Norge": "Norway",
    "Suomi": "Finland",
    "Česko": "Czechia",
    "Royaume-Uni": "United Kingdom",
    "États-Unis": "United States",
}
# Regions LinkedIn writes as "Region, Country" with no city: read them as regions.
REGIONS: frozenset[str] = frozenset(
    {
        "Île-de-France",
        "Auvergne-Rhône-Alpes",
        "Provence-Alpes-Côte d'Azur",
        "Occitanie",
        "Nouvelle-Aquitaine",
        "Hauts-de-France",
        "Bavaria",
        "Baden-Württemberg",
        "North Rhine-Westphalia",
        "Hesse",
        "Lower Saxony",
        "North Holland",
        "South Holland",
        "Catalonia",
        "Community of Madrid",
        "Andalusia",
        "Lombardy",
        "Lazio",
        "Flanders",
        "Wallonia",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Karnataka",
        "Maharashtra",
        "Telangana",
        "Tamil Nadu",
        "Haryana",
        "Delhi",
        "São Paulo",
        "Rio de Janeiro",
        "Jalisco",
        *AU_STATES.values(),
    }
)
# Areas bigger than a country.
WORLD_REGIONS: frozenset[str] = frozenset(
    {"EMEA", "APAC", "LATAM", "Europe", "European Union", "Latin America", "Asia", "Worldwide"}
)
_STATE_NAMES = {name: code for code, name in US_STATES.items()}
_PROVINCE_NAMES = {name: code for code, name in CA_PROVINCES.items()}
_AU_STATE_NAMES = {name: code for code, name in AU_STATES.items()}
# LinkedIn appends the workplace when the poster chose it: "Seattle, WA (Hybrid)".
_WORKPLACE_SUFFIX = re.compile(r"\s*\(\s*(hybrid|on[- ]?site|remote)\s*\)\s*$", re.I)
# "Sydney NSW", "Seattle WA": a state code after the city without a comma.
_TRAILING_CODE = re.compile(r"^(?P<city>.*\S)\s+(?P<code>[A-Z]{2,3})$")
# LinkedIn area names that stand for a city.
_AREA = re.compile(
    r"^(?:Greater\s+)?(.+?)(?:\s+(?:Metropolitan|Metro|Bay|Metroplex|Capital|City Region|"
    r"Region|Area))*(?:\s+Area)?$"
)
_REMOTE = re.compile(r"\b(remote|anywhere|worldwide)\b", re.I)
_AREA_CITY = {
    "San Francisco": "San Francisco",
    "New York City": "New York",
    "Dallas-Fort Worth": "Dallas",
}


# LinkedIn names metro areas without a state or country ("Greater Chicago Area"): the
# best-known ones, so that at least their country is known.
METRO_PLACES: dict[str, tuple[str, str]] = {
    "San Francisco": ("California", "United States"),
    "Los Angeles": ("California", "United States"),
    "San Diego": ("California", "United States"),
    "Sacramento": ("California", "United States"),
    "New York": ("New York", "United States"),
    "Chicago": ("Illinois", "United States"),
    "Boston": ("Massachusetts", "United States"),
    "Seattle": ("Washington", "United States"),
    "Dallas": ("Texas", "United States"),
    "Houston": ("Texas", "United States"),
    "Austin": ("Texas", "United States"),
    "San Antonio": ("Texas", "United States"),
    "Atlanta": ("Georgia", "United States"),
    "Miami": ("Florida", "United States"),
    "Tampa": ("Florida", "United States"),
    "Orlando": ("Florida", "United States"),
    "Denver": ("Colorado", "United States"),
    "Phoenix": ("Arizona", "United States"),
    "Philadelphia": ("Pennsylvania", "United States"),
    "Pittsburgh": ("Pennsylvania", "United States"),
    "Washington DC": ("District of Columbia", "United States"),
    "Detroit": ("Michigan", "United States"),
    "Minneapolis-St. Paul": ("Minnesota", "United States"),
    "Portland": ("Oregon", "United States"),
    "Salt Lake City": ("Utah", "United States"),
    "Raleigh-Durham-Chapel Hill": ("North Carolina", "United States"),
    "Charlotte": ("North Carolina", "United States"),
    "Nashville": ("Tennessee", "United States"),
    "Memphis": ("Tennessee", "United States"),
    "St. Louis": ("Missouri", "United States"),
    "Kansas City": ("Missouri", "United States"),
    "Columbus": ("Ohio", "United States"),
    "Cleveland": ("Ohio", "United States"),
    "Cincinnati": ("Ohio", "United States"),
    "Indianapolis": ("Indiana", "United States"),
    "Las Vegas": ("Nevada", "United States"),
    "Baltimore": ("Maryland", "United States"),
    "Toronto": ("Ontario", "Canada"),
    "Vancouver": ("British Columbia", "Canada"),
    "Montreal": ("Quebec", "Canada"),
    "Calgary": ("Alberta", "Canada"),
    "London": ("England", "United Kingdom"),
    "Manchester": ("England", "United Kingdom"),
    "Paris": ("Île-de-France", "France"),
    "Berlin": ("Berlin", "Germany"),
    "Munich": ("Bavaria", "Germany"),
    "Amsterdam": ("North Holland", "Netherlands"),
    "Dublin": ("County Dublin", "Ireland"),
    "Sydney": ("New South Wales", "Australia"),
    "Melbourne": ("Victoria", "Australia"),
    "Bengaluru": ("Karnataka", "India"),
    "Greater Bengaluru": ("Karnataka", "India"),
    "Mumbai": ("Maharashtra", "India"),
    "Singapore": ("Singapore", "Singapore"),
    "Tokyo": ("Tokyo", "Japan"),
    "Zurich": ("Zurich", "Switzerland"),
    "Zürich": ("Zurich", "Switzerland"),
    "Geneva": ("Geneva", "Switzerland"),
    "Hamburg": ("Hamburg", "Germany"),
    "Frankfurt": ("Hesse", "Germany"),
    "Madrid": ("Community of Madrid", "Spain"),
    "Barcelona": ("Catalonia", "Spain"),
    "Milan": ("Lombardy", "Italy"),
    "Lisbon": ("Lisbon", "Portugal"),
    "Stockholm": ("Stockholm County", "Sweden"),
    "Copenhagen": ("Capital Region of Denmark", "Denmark"),
    "Warsaw": ("Mazowieckie", "Poland"),
    "Brussels": ("Brussels Region", "Belgium"),
    "São Paulo": ("São Paulo", "Brazil"),
    "Mexico City": ("Mexico City", "Mexico"),
    "Hyderabad": ("Telangana", "India"),
    "Pune": ("Maharashtra", "India"),
    "Chennai": ("Tamil Nadu", "India"),
    "Delhi": ("Delhi", "India"),
    "Tel Aviv": ("Tel Aviv District", "Israel"),
    "Dubai": ("Dubai", "United Arab Emirates"),
    "Brisbane": ("Queensland", "Australia"),
    "Ottawa": ("Ontario", "Canada"),
    "Washington DC-Baltimore": ("District of Columbia", "United States"),
    "Buenos Aires": ("Buenos Aires", "Argentina"),
}


class Place(NamedTuple):
    city: str | None
    region: str | None
    country: str | None
    # From a "(Hybrid)", "(On-site)" or "(Remote)" suffix, or a location that is only "Remote".
    workplace: str | None = None


def _country(part: str) -> str | None:
    if part in COUNTRIES:
        return COUNTRY_ALIASES.get(part, part)
    return COUNTRY_ALIASES.get(part)


def _area_city(part: str) -> str:
    m = _AREA.match(part)
    city = m.group(1) if m else part
    return _AREA_CITY.get(city, city)


def _state(part: str) -> tuple[str, str] | None:
    """(region, country) when `part` is a US state, Canadian province or Australian state."""
    for codes, names, country in (
        (US_STATES, _STATE_NAMES, "United States"),
        (CA_PROVINCES, _PROVINCE_NAMES, "Canada"),
        (AU_STATES, _AU_STATE_NAMES, "Australia"),
    ):
        if part in codes:
            return codes[part], country
        if part in names:
            return part, country
    return None


def _workplace(text: str) -> tuple[str, str | None]:
    m = _WORKPLACE_SUFFIX.search(text)
    if m is None:
        return text, None
    kind = m.group(1).lower()
    return text[: m.start()], kind if kind in ("remote", "hybrid") else "on-site"


@lru_cache(maxsize=4096)
def split_location(location: str | None) -> Place:
    if not location:
        return Place(None, None, None)
    text, workplace = _workplace(unicodedata.normalize("NFC", location).strip())
    if workplace is None and _REMOTE.fullmatch(text.strip(" ()")):
        workplace = "remote"
    text = _REMOTE.sub("", text).strip(" ,()-·")
    # "Korea, Republic of": the one country name with a comma in it.
    text = re.sub(r",\s*Republic of$", "", text)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return Place(None, None, None, workplace)
    country = _country(parts[-1])
    if country is not None:
        parts = parts[:-1]
    if parts and (m := _TRAILING_CODE.match(parts[-1])) and _state(m.group("code")):
        parts[-1:] = [m.group("city"), m.group("code")]
    region: str | None = None
    if parts:
        last = parts[-1]
        # "Springfield, Illinois Metropolitan Area": the area of a state is the state.
        state = _state(last) or (_state(_area_city(last)) if len(parts) >= 2 else None)
        if state is not None:
            region, state_country = state
            country = country or state_country
            parts = parts[:-1]
        elif len(parts) >= 2:
            region = last
            parts = parts[:-1]
        elif last in REGIONS or last in WORLD_REGIONS:
            return Place(None, last, country, workplace)
    if parts and region is None and parts[0] in _STATE_NAMES:
        # "California" or "New York, United States" name a state, not a city.
        return Place(None, parts[0], "United States", workplace)
    is_area = bool(parts) and _area_city(parts[0]) != parts[0]
    city = _area_city(parts[0]) if parts else None
    if is_area and city in METRO_PLACES and region is None and country is None:
        region, country = METRO_PLACES[city]
    return Place(city, region, country, workplace)


def region_code(region: str | None) -> str | None:
    if region is None:
        return None
    return _STATE_NAMES.get(region) or _PROVINCE_NAMES.get(region) or _AU_STATE_NAMES.get(region)


def fold_accents(text: str) -> str:
    """'Zürich' -> 'Zurich', 'Île-de-France' -> 'Ile-de-France'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names_pattern() -> re.Pattern[str]:
    names = {*COUNTRIES, *COUNTRY_ALIASES, *_STATE_NAMES, *_PROVINCE_NAMES, *METRO_PLACES}
    names |= {*REGIONS, *(fold_accents(n) for n in names)}
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if len(n) > 3)
    codes = "|".join(sorted({*US_STATES, *CA_PROVINCES, *AU_STATES}))
    return re.compile(rf"(?i:\b(?:{words})\b)|(?<![A-Za-z])(?:{codes})(?![A-Za-z])")


# Any place name or state code: tells a pay table by location from one by level.
PLACE_NAME = _names_pattern()
