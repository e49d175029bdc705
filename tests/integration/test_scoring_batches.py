"""A user's new postings are scored in batches, a few at a time per process (the gateway's
memory): every posting still gets the prediction its model gives it when scored with all
the others at once, and threads scoring together all finish."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from shared.db.models import HiddenPosting, Job, ModelVersion, Posting, Prediction, Rating, User
from tests.integration.planted import planted_posting

TAG = "batch-scoring"


def _plant(setup: Any, n: int) -> list[int]:
    postings = []
    for i in range(n):
        p = planted_posting(4_990_000_000 + i, TAG, f"Batch Co {i % 3}")
        p.title = ("Staff Data Engineer", "Junior Analyst", "Data Platform Lead")[i % 3] + f" {i}"
        p.description_text = ("Spark and Kafka at scale.", "Excel reports.", "Lead a team.")[i % 3]
        p.annual_min, p.annual_max = 60_000.0 + 10_000 * i, 90_000.0 + 12_000 * i
        postings.append(p)
    setup.add_all(postings)
    setup.flush()
    return [p.id for p in postings]


@pytest.fixture
def modelled_user(database: str) -> Any:
    """A user with a trained, active model over 12 rated postings, and 7 postings unrated."""
    from shared.db.session import get_sessionmaker
    from shared.jobs import create_job, run_job
    from shared.training import train_work

    make = get_sessionmaker()
    with make() as setup:
        user = User(email=f"batches-{id(setup)}@example.com", password_hash="x")
        setup.add(user)
        setup.flush()
        # Postings are everyone's: those other tests left are hidden from this user.
        others = setup.scalars(select(Posting.id)).all()
        setup.add_all(HiddenPosting(user_id=user.id, posting_id=pid) for pid in others)
        ids = _plant(setup, 19)
        setup.add_all(
            Rating(user_id=user.id, posting_id=pid, rating=i % 4) for i, pid in enumerate(ids[:12])
        )
        setup.commit()
        uid = user.id
        job_id = create_job(setup, kind="train", user_id=uid).id
        setup.commit()
    run_job(str(job_id), train_work)
    with make() as s:
        assert s.get(Job, job_id).status == "succeeded"  # type: ignore[union-attr]
        # Whether it beat the majority class or not, this test scores with it.
        s.execute(update(ModelVersion).where(ModelVersion.user_id == uid).values(is_active=True))
        s.execute(delete(Prediction).where(Prediction.user_id == uid))
        s.commit()
    yield uid, ids[12:]
    with make() as s:
        s.execute(delete(Posting).where(Posting.seniority == TAG))
        s.execute(delete(User).where(User.id == uid))
        s.commit()


def test_batched_scoring_gives_each_posting_its_prediction_scored_at_once(
    modelled_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.scoring as scoring
    from shared.db.session import get_sessionmaker

    uid, unrated = modelled_user
    make = get_sessionmaker()
    with make() as s:
        postings = list(
            s.scalars(select(Posting).where(Posting.id.in_(unrated)).order_by(Posting.id))
        )
        at_once, model = scoring.score_postings(s, uid, postings)
        assert model is not None  # the trained model, not the heuristic
    monkeypatch.setattr(scoring, "SCORING_BATCH", 3)  # 7 postings: batches of 3, 3 and 1
    with make() as s:
        assert scoring.ensure_scored(s, uid) == 7
        s.commit()
    with make() as s:
        stored = {
            r.posting_id: r for r in s.scalars(select(Prediction).where(Prediction.user_id == uid))
        }
    assert sorted(stored) == sorted(unrated)
    for posting, want in zip(postings, at_once, strict=True):
        row = stored[posting.id]
        assert row.model_version_id == model.id
        assert row.predicted == want["predicted"]
        assert row.expected_score == pytest.approx(want["expected_score"], abs=1e-9)
        assert row.probabilities == pytest.approx(want["probabilities"], abs=1e-9)


def test_threads_scoring_at_once_all_finish(
    modelled_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More threads than may score at once, each its own session (as the gateway's requests):
    they take turns by batch, and every one gets its rows."""
    import shared.scoring as scoring
    from shared.db.session import get_sessionmaker

    uid, unrated = modelled_user
    monkeypatch.setattr(scoring, "SCORING_BATCH", 2)
    make = get_sessionmaker()
    errors: list[BaseException] = []
    counts: list[int] = []

    def request() -> None:
        try:
            with make() as s:
                counts.append(scoring.ensure_scored(s, uid))
                # Each finds all 7 missing and waits on the keys of the one before it
                # (outside the batch's turn); its rollback lets the next one go on.
                s.rollback()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads), errors
    assert counts == [7] * 6
