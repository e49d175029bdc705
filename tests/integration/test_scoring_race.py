"""Two requests of one page (the path's map and gaps) score a user's new postings at the same
time: both succeed, and each posting keeps one prediction row."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from shared.db.models import Posting, Prediction, User


def test_concurrent_first_sight_scoring_keeps_one_row_and_raises_nothing(database: str) -> None:
    from shared.db.session import get_sessionmaker
    from shared.scoring import ensure_scored

    make = get_sessionmaker()
    with make() as setup:
        user = User(email=f"race-{id(setup)}@example.com", password_hash="x")
        setup.add(user)
        planted = [Posting(title=f"Race engineer {i}", company="Acme") for i in range(5)]
        setup.add_all(planted)
        setup.commit()
        uid, ids = user.id, [p.id for p in planted]
    errors: list[BaseException] = []
    first, second = make(), make()
    try:
        assert ensure_scored(first, uid) >= 5  # uncommitted: the second cannot see these rows

        def other_request() -> None:
            try:
                ensure_scored(second, uid)  # waits on the first's keys, then must not fail
                second.commit()
            except BaseException as exc:
                errors.append(exc)

        racer = threading.Thread(target=other_request)
        racer.start()
        racer.join(timeout=1)
        first.commit()
        racer.join(timeout=60)
        assert not racer.is_alive() and not errors, errors
    finally:
        first.close()
        second.close()
    with make() as check:
        counts: Any = check.execute(
            select(Prediction.posting_id, func.count())
            .where(Prediction.user_id == uid)
            .group_by(Prediction.posting_id)
        ).all()
        assert counts and all(n == 1 for _, n in counts)
        # Postings are everyone's: left behind they would be later tests' recommendations.
        for pid in ids:
            check.delete(check.get(Posting, pid))
        check.delete(check.get(User, uid))
        check.commit()
