"""Import ratings (a CSV of url,rating or the prototype's dataset) and export them."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import zipfile
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.artifacts import read_artifact
from shared.career.profile import profile_export
from shared.csv_safe import safe_row
from shared.db.base import utcnow
from shared.db.models import Job, Posting, Rating
from shared.extraction import parse_prototype_text
from shared.extraction_store import extract_and_store
from shared.jobs import Progress, create_job
from shared.learning.service import preferences_export
from shared.postings import pending_job
from shared.quotas import check_import_rows, check_queued_jobs
from shared.ratings import check_rating, posting_for_url, upsert_rating
from shared.schemas import ModelVersionPublic
from shared.settings import get_settings
from shared.tracker.csv_io import applications_csv, import_application
from shared.training import maybe_queue_training, model_versions

MAX_IMPORT_BYTES = 20_000_000
EXPORT_COLUMNS = (
    "rating",
    "rated_at",
    "url",
    "job_id",
    "title",
    "company",
    "location",
    "seniority",
    "employment_type",
    "workplace_type",
    "salary_currency",
    "annual_min",
    "annual_max",
    "status",
)


def detect_format(header: list[str]) -> str:
    cols = {c.strip().lower() for c in header}
    if {"posting_text", "rating"} <= cols:
        return "prototype"
    if {"url", "rating"} <= cols:
        return "url"
    if {"url", "status"} <= cols:
        return "applications"
    raise ValueError(
        "CSV header must have columns url,rating, the prototype's "
        "posting_text,rating,min_salary,max_salary, or the tracker's url,status"
    )


def start_import(session: Session, user_id: int, data: bytes, filename: str) -> Job:
    """Validate the file's shape now (a 4xx for the wrong file), import rows in a job."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"file too large: {len(data)} bytes (max {MAX_IMPORT_BYTES})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    fmt = detect_format(next(reader, []))
    rows = sum(1 for _ in itertools.islice(reader, get_settings().max_import_rows + 1))
    check_import_rows(rows)
    check_queued_jobs(session, user_id, adding=rows + 1)
    return create_job(
        session,
        kind="import",
        user_id=user_id,
        priority="bulk",
        params={"format": fmt, "filename": filename, "csv": text},
    )


def import_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    assert job.user_id is not None
    rows = list(csv.DictReader(io.StringIO(job.params["csv"])))
    fmt, errors, imported = job.params["format"], [], 0
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            with session.begin_nested():
                if fmt == "applications":
                    posting = posting_for_url(session, row.get("url", ""))
                    import_application(session, job.user_id, posting.id, row)
                    pending_job(session, job.user_id, posting, parent=job)
                    imported += 1
                    continue
                value = _rating(row.get("rating", ""))
                if fmt == "url":
                    posting = posting_for_url(session, row.get("url", ""))
                    upsert_rating(session, job.user_id, posting.id, value)
                    create_job(
                        session,
                        kind="scrape",
                        user_id=job.user_id,
                        posting_id=posting.id,
                        parent=job,
                    )
                else:
                    _import_prototype_row(session, job.user_id, row, value)
            imported += 1
        except ValueError as exc:
            errors.append({"row": n, "error": str(exc)})
        if n % 25 == 0:
            progress(n / max(len(rows), 1), f"row {n - 1} of {len(rows)}")
    maybe_queue_training(session, job.user_id)
    # The uploaded file is not kept in the job row once it has been read.
    job.params = {k: v for k, v in job.params.items() if k != "csv"}
    return {"imported": imported, "failed": len(errors), "errors": errors[:500], "format": fmt}


def _rating(raw: str) -> int:
    try:
        return check_rating(int(float(raw)))
    except (TypeError, ValueError):
        raise ValueError(f"rating must be 0, 1, 2 or 3, got {raw!r}") from None


def _import_prototype_row(session: Session, user_id: int, row: dict[str, str], value: int) -> None:
    text = row.get("posting_text", "")
    if not text:
        raise ValueError("posting_text is empty")
    doc = parse_prototype_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    posting = session.scalar(  # the importer's own copy: imported text is private
        select(Posting).where(
            Posting.content_hash == digest,
            Posting.source == "imported",
            Posting.owner_id == user_id,
        )
    )
    if posting is None:
        posting = Posting(
            source="imported",
            owner_id=user_id,
            status="imported",
            content_hash=digest,
            title=doc.title,
            company=doc.company,
            location=doc.location,
            description_text=doc.description_text,
            salary_text=doc.salary_text,
            seniority=doc.seniority,
            employment_type=doc.employment_type,
            workplace_type=doc.workplace_type,
            fetched_at=utcnow(),
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(posting)
        session.flush()
        extract_and_store(session, posting, user_id=None)
    upsert_rating(session, user_id, posting.id, value)


def ratings_csv(session: Session, user_id: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = session.execute(
        select(Rating, Posting)
        .join(Posting)
        .where(Rating.user_id == user_id)
        .order_by(Rating.created_at)
    ).all()
    for r, p in rows:
        writer.writerow(
            safe_row(
                [
                    r.rating,
                    r.updated_at.isoformat(),
                    p.url or "",
                    p.job_id or "",
                    p.title or "",
                    p.company or "",
                    p.location or "",
                    p.seniority or "",
                    p.employment_type or "",
                    p.workplace_type or "",
                    p.salary_currency or "",
                    _num(p.annual_min),
                    _num(p.annual_max),
                    p.status,
                ]
            )
        )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def export_zip(session: Session, user_id: int) -> bytes:
    """Everything of the user's: ratings with postings, the tracker, the profile, model
    versions and the active model."""
    buf = io.BytesIO()
    models = model_versions(session, user_id)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ratings.csv", ratings_csv(session, user_id))
        zf.writestr("applications.csv", applications_csv(session, user_id))
        meta = [ModelVersionPublic.model_validate(m).model_dump(mode="json") for m in models]
        zf.writestr("models.json", json.dumps(meta, indent=2))
        profile = profile_export(session, user_id)
        if profile is not None:
            zf.writestr("profile.json", json.dumps(profile, indent=2))
        prefs = preferences_export(session, user_id)
        if prefs is not None:
            zf.writestr("preferences.json", json.dumps(prefs, indent=2))
        active = next((m for m in models if m.is_active), None)
        if active is not None:
            zf.writestr(f"model-v{active.version}.skops", read_artifact(active))
    return buf.getvalue()
