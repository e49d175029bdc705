"""Split a LinkedIn location ("Zürich, Zurich, Switzerland", "San Francisco, CA",
"London Area, United Kingdom", "Remote", "United States") into city, region and country."""

from __future__ import annotations

import re
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
}
_STATE_NAMES = {name: code for code, name in US_STATES.items()}
_PROVINCE_NAMES = {name: code for code, name in CA_PROVINCES.items()}
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
}


class Place(NamedTuple):
    city: str | None
    region: str | None
    country: str | None


def _country(part: str) -> str | None:
    if part in COUNTRIES:
        return COUNTRY_ALIASES.get(part, part)
    return COUNTRY_ALIASES.get(part)


def _area_city(part: str) -> str:
    m = _AREA.match(part)
    city = m.group(1) if m else part
    return _AREA_CITY.get(city, city)


@lru_cache(maxsize=4096)
def split_location(location: str | None) -> Place:
    if not location:
        return Place(None, None, None)
    text = _REMOTE.sub("", location).strip(" ,()-·")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return Place(None, None, None)
    country = _country(parts[-1])
    if country is not None:
        parts = parts[:-1]
    region: str | None = None
    if parts:
        last = parts[-1]
        if last in US_STATES or last in _STATE_NAMES:
            region = US_STATES.get(last, last)
            country = country or "United States"
            parts = parts[:-1]
        elif last in CA_PROVINCES or last in _PROVINCE_NAMES:
            region = CA_PROVINCES.get(last, last)
            country = country or "Canada"
            parts = parts[:-1]
        elif len(parts) >= 2:
            region = last
            parts = parts[:-1]
    if parts and region is None and parts[0] in _STATE_NAMES:
        # "California" or "New York, United States" name a state, not a city.
        return Place(None, parts[0], "United States")
    is_area = bool(parts) and _area_city(parts[0]) != parts[0]
    city = _area_city(parts[0]) if parts else None
    if is_area and city in METRO_PLACES and region is None and country is None:
        region, country = METRO_PLACES[city]
    return Place(city, region, country)


def region_code(region: str | None) -> str | None:
    if region is None:
        return None
    return _STATE_NAMES.get(region) or _PROVINCE_NAMES.get(region)
