"""Currency symbols and codes, and rough USD scales used only for plausibility checks."""

from __future__ import annotations

import re

# Symbol or code as written -> ISO 4217. "$" alone is resolved by the posting's country.
PREFIXES: dict[str, str] = {
    "US$": "USD",
    "USD$": "USD",
    "USD": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "CAD$": "CAD",
    "CAD": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD$": "AUD",
    "AUD": "AUD",
    "NZ$": "NZD",
    "NZD": "NZD",
    "S$": "SGD",
    "SGD$": "SGD",
    "SGD": "SGD",
    "HK$": "HKD",
    "HKD": "HKD",
    "MX$": "MXN",
    "MXN": "MXN",
    "R$": "BRL",
    "BRL": "BRL",
    "$": "$",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "₹": "INR",
    "INR": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "CHF": "CHF",
    "Fr.": "CHF",
    "AED": "AED",
    "¥": "JPY",
    "JPY": "JPY",
    "CNY": "CNY",
    "RMB": "CNY",
    "SEK": "SEK",
    "NOK": "NOK",
    "DKK": "DKK",
    "PLN": "PLN",
    "zł": "PLN",
    "CZK": "CZK",
    "Kč": "CZK",
    "HUF": "HUF",
    "RON": "RON",
    "ILS": "ILS",
    "₪": "ILS",
    "ZAR": "ZAR",
    "KRW": "KRW",
    "₩": "KRW",
    "TRY": "TRY",
    "₺": "TRY",
    "SAR": "SAR",
    "QAR": "QAR",
    "PHP": "PHP",
    "₱": "PHP",
    "MYR": "MYR",
    "RM": "MYR",
    "IDR": "IDR",
    "THB": "THB",
    "VND": "VND",
    "NGN": "NGN",
    "₦": "NGN",
    "PKR": "PKR",
    "EGP": "EGP",
    "kr": "SEK",
}

# Approximate units per USD: to judge magnitudes (hourly vs yearly) and, through to_usd,
# to compare pay across currencies. Never shown to a user as a conversion.
USD_SCALE: dict[str, float] = {
    "USD": 1,
    "CAD": 1.35,
    "AUD": 1.5,
    "NZD": 1.65,
    "SGD": 1.35,
    "HKD": 7.8,
    "MXN": 17,
    "BRL": 5,
    "EUR": 0.92,
    "GBP": 0.8,
    "INR": 83,
    "CHF": 0.9,
    "AED": 3.67,
    "JPY": 150,
    "CNY": 7.2,
    "SEK": 10.5,
    "NOK": 10.5,
    "DKK": 6.9,
    "PLN": 4,
    "CZK": 23,
    "HUF": 360,
    "RON": 4.6,
    "ILS": 3.7,
    "ZAR": 18.5,
    "KRW": 1350,
    "TRY": 32,
    "SAR": 3.75,
    "QAR": 3.64,
    "PHP": 56,
    "MYR": 4.7,
    "IDR": 15600,
    "THB": 36,
    "VND": 25000,
    "NGN": 1500,
    "PKR": 280,
    "EGP": 48,
}


def to_usd(amount: float | None, currency: str | None) -> float | None:
    """Rough US dollars, to compare pay across currencies (ranking, filters, features).
    The fixed rates above are good to ~10 %; an unknown currency gives None, not a guess."""
    if amount is None or currency is None or currency not in USD_SCALE:
        return None
    return amount / USD_SCALE[currency]


# "$" means the local dollar where the posting is in a dollar country other than the US.
DOLLAR_BY_COUNTRY: dict[str, str] = {
    "Canada": "CAD",
    "Australia": "AUD",
    "New Zealand": "NZD",
    "Singapore": "SGD",
    "Hong Kong": "HKD",
    "Mexico": "MXN",
}

# Default currency of a country, for bare numbers in a pay block.
CURRENCY_BY_COUNTRY: dict[str, str] = {
    "United States": "USD",
    "Canada": "CAD",
    "Australia": "AUD",
    "New Zealand": "NZD",
    "Singapore": "SGD",
    "United Kingdom": "GBP",
    "India": "INR",
    "Switzerland": "CHF",
    "Germany": "EUR",
    "France": "EUR",
    "Netherlands": "EUR",
    "Spain": "EUR",
    "Italy": "EUR",
    "Ireland": "EUR",
    "Belgium": "EUR",
    "Austria": "EUR",
    "Portugal": "EUR",
    "Finland": "EUR",
    "Sweden": "SEK",
    "Norway": "NOK",
    "Denmark": "DKK",
    "Poland": "PLN",
    "Japan": "JPY",
    "United Arab Emirates": "AED",
    "Israel": "ILS",
    "Brazil": "BRL",
    "Mexico": "MXN",
}


def _alternation(keys: list[str]) -> str:
    # Longest first so "US$" wins over "$"; a code must not be the end of a word ("FIRM 5")
    # nor run on into a lower-case one.
    parts = []
    for key in sorted(keys, key=len, reverse=True):
        esc = re.escape(key)
        if key[0].isalpha():
            esc = r"(?<![A-Za-z])" + esc
        parts.append(esc + r"(?![a-z])" if key[-1].isalpha() else esc)
    return "|".join(parts)


CURRENCY_PATTERN = _alternation(list(PREFIXES))


def resolve(token: str, country: str | None) -> str:
    code = PREFIXES.get(token, PREFIXES.get(token.rstrip(" $"), "USD"))
    if code == "$":
        return DOLLAR_BY_COUNTRY.get(country or "", "USD")
    return code
