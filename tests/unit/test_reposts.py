"""Repost detection on the stand-in's generated postings and on edited copies."""

from __future__ import annotations

from services.sandbox.generator import generate
from shared.db.models import Posting
from shared.reposts.service import fold, normal_title, same_job


def posting(job_id: int, pid: int, **changes: str) -> Posting:
    g = generate(job_id)
    text = "\n".join(" ".join(paras + bullets) for _, paras, bullets in g.sections)
    values = {"title": g.title, "company": g.company, "description_text": text} | changes
    return Posting(id=pid, job_id=str(job_id), **values)


def test_the_same_job_reposted_is_recognised() -> None:
    a = posting(4200000001, 1)
    assert same_job(a, posting(4200000001, 2))
    tagged = posting(4200000001, 3, title=f"{a.title} (Remote)")
    assert normal_title(tagged.title or "") == normal_title(a.title or "")
    assert same_job(a, tagged)
    edited = posting(4200000001, 4, description_text=(a.description_text or "") + " Apply soon.")
    assert same_job(a, edited)


def test_different_jobs_are_not() -> None:
    a = posting(4200000001, 1)
    other_text = posting(4200000055, 2, title=a.title or "", company=a.company or "")
    assert not same_job(a, other_text)  # same title and company, another description
    assert not same_job(a, posting(4200000001, 3, title="Chief Happiness Officer"))


def test_fold_keeps_the_best_ranked_member_of_each_group() -> None:
    # How many others a group holds is counted in the database (repost_fields), not here.
    a, b, c = posting(4200000001, 1), posting(4200000001, 2), posting(4200000002, 3)
    b.repost_of_id = 1
    folded = fold([(b, 0.9), (c, 0.8), (a, 0.5)])
    assert [(row[0].id, score) for row in folded for score in row[1:]] == [(2, 0.9), (3, 0.8)]
