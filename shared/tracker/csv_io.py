"""The tracker as CSV: exported with its full history, and read back by the import."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy.orm import Session

from shared.csv_safe import safe_row
from shared.tracker.service import (
    check_status,
    list_applications,
    own_application,
    put_application,
)

COLUMNS = ("url", "job_id", "title", "company", "status", "note", "applied_at", "history")


def applications_csv(session: Session, user_id: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for a in list_applications(session, user_id):
        p = a.posting
        history = [{"status": e.status, "at": _iso(e.at)} for e in a.events]
        writer.writerow(
            safe_row(
                [
                    p.url or "",
                    p.job_id or "",
                    p.title or "",
                    p.company or "",
                    a.status,
                    a.note or "",
                    _iso(a.applied_at) if a.applied_at else "",
                    json.dumps(history),
                ]
            )
        )
    return out.getvalue()


def _iso(moment: datetime) -> str:
    from shared.jobs import aware

    value = aware(moment)
    assert value is not None
    return value.isoformat()


def _when(raw: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 date, got {raw!r}") from None
    if value.tzinfo is None:
        raise ValueError(f"{what} needs a UTC offset, got {raw!r}")
    return value


def import_application(
    session: Session, user_id: int, posting_id: int, row: dict[str, str]
) -> None:
    """One exported row back onto the tracker: its history replayed with the original dates
    (a row without history becomes one change to its status, now). A posting already on the
    tracker keeps its own history and only moves to the row's status."""
    status = check_status(row.get("status", ""))
    try:
        history = json.loads(row["history"]) if row.get("history") else []
        steps = [(check_status(h["status"]), _when(h["at"], "history date")) for h in history]
    except (TypeError, KeyError, json.JSONDecodeError):
        raise ValueError("history must be the exported JSON list of {status, at}") from None
    applied_at = _when(row["applied_at"], "applied_at") if row.get("applied_at") else None
    if own_application(session, user_id, posting_id) is not None:
        steps = []
    for step, at in steps:
        put_application(session, user_id, posting_id, step, at=at)
    put_application(
        session,
        user_id,
        posting_id,
        status,
        note=row.get("note") or None,
        applied_at=applied_at,
        at=steps[-1][1] if steps and steps[-1][0] == status else None,
    )
