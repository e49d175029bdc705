"""CSV cells that a spreadsheet would run as formulas (CSV injection) are exported as text."""

from __future__ import annotations

from collections.abc import Iterable

# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Scraped text such as a title '=HYPERLINK(...)' gets a leading quote."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def safe_row(cells: Iterable[object]) -> list[object]:
    return [spreadsheet_safe(c) if isinstance(c, str) else c for c in cells]
