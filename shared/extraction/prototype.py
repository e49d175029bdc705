"""The prototype's dataset format: "position is …", "company is …", "location is …",
"salary is …", a blank line, "<criterion> is …" lines, a blank line, then the body."""

from __future__ import annotations

import re

from shared.extraction.models import PostingText

_HEADER = re.compile(
    r"^(position|company|location|salary|Seniority level|Employment type|"
    r"Job function|Industries|Workplace type) is ?(.*)$"
)
_FIELDS = {
    "position": "title",
    "company": "company",
    "location": "location",
    "salary": "salary_text",
    "Seniority level": "seniority",
    "Employment type": "employment_type",
    "Workplace type": "workplace_type",
}
_EMPTY = {"", "n/a", "na", "none", "null", "nan"}


def parse_prototype_text(text: str) -> PostingText:
    values: dict[str, str | None] = {}
    lines = text.split("\n")
    body_start = len(lines)
    blank_runs = 0
    for i, line in enumerate(lines):
        if not line.strip():
            blank_runs += 1
            # Header block, blank, criteria block, blank, body.
            if blank_runs >= 2:
                body_start = i + 1
                break
            continue
        m = _HEADER.match(line.strip())
        if m is None:
            # The body began without a second blank line (some rows lack criteria).
            body_start = i
            break
        field = _FIELDS.get(m.group(1))
        if field is not None:
            value = m.group(2).strip()
            values[field] = None if value.lower() in _EMPTY else value
    body = "\n".join(lines[body_start:]).strip()
    return PostingText(description_text=body or None, **values)
