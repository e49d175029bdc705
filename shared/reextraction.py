"""Re-extract stored postings after the extraction rules change (shared.extraction.version).

`python -m shared.reextraction` (also run by `make migrate` and the compose `migrate` step)
queues one bulk `extract` job per stored posting whose rules result is from another version,
skipping postings that already have a scrape or extract job on the way. Running it twice
queues nothing new; the extract task itself skips a posting that is already current.
"""

from __future__ import annotations

import argparse
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db.models import Job, Posting
from shared.db.session import session_scope
from shared.extraction import rules_version
from shared.jobs import ACTIVE, create_job

log = logging.getLogger(__name__)

_BATCH = 500


def stale_posting_ids(session: Session) -> list[int]:
    """Postings extracted by rules of another version, with no scrape or extract job active."""
    busy = select(Job.posting_id).where(
        Job.kind.in_(("scrape", "extract")),
        Job.status.in_(ACTIVE),
        Job.posting_id.is_not(None),
    )
    rows = session.execute(
        select(Posting.id, Posting.rules_extraction)
        .where(Posting.rules_extraction.is_not(None), Posting.id.not_in(busy))
        .order_by(Posting.id)
        .execution_options(yield_per=_BATCH)
    )
    # The version lives inside the JSON: read it here, the same way on SQLite and Postgres
    # (a JSON null passes `IS NOT NULL`, so empty values are skipped here too).
    return [
        pid
        for pid, extraction in rows
        if extraction and extraction.get("rules_version") != rules_version
    ]


def queue_reextraction(session: Session) -> int:
    """Queue a bulk extract job for every stale posting; the number queued."""
    ids = stale_posting_ids(session)
    for posting_id in ids:
        # Bulk: re-reading old postings must never hold up a user waiting on a rating.
        create_job(session, kind="extract", user_id=None, posting_id=posting_id, priority="bulk")
    return len(ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dry-run", action="store_true", help="count the stale postings, queue nothing"
    )
    args = parser.parse_args(argv)
    with session_scope() as session:
        if args.dry_run:
            n = len(stale_posting_ids(session))
            print(f"{n} postings extracted by rules other than {rules_version}")
            return 0
        n = queue_reextraction(session)
    print(f"queued {n} extract jobs for rules {rules_version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
