"""The career path through the real API on PostgreSQL: profile and resume upload, the
match on predictions and recommendations, the map, the gaps, the what-if, privacy, export
and deletion with the account."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from shared.db.models import HiddenPosting, Posting, Profile, User
from tests.career_data import (
    RESUME_SKILLS,
    docx_resume,
    make_posting,
    path_scenario,
    pdf_resume,
    txt_resume,
)
from tests.conftest import signup


@pytest.fixture
def make(db: Any) -> Any:
    def _make(title: str, description: str) -> Any:
        made = make_posting(db, title, description)
        db.commit()
        return made

    return _make


def hide_all_but(db: Any, user_id: int, keep: set[int]) -> None:
    """Other modules' postings share this database: the user hides them, so the path is
    computed over this test's postings only."""
    for pid in db.scalars(select(Posting.id)):
        if pid not in keep:
            db.add(HiddenPosting(user_id=user_id, posting_id=pid))
    db.commit()


def user_id(api: Any, headers: dict[str, str]) -> int:
    return int(api.get("/api/v1/me", headers=headers).json()["user"]["id"])


def test_path_kubernetes_first_never_python(api: Any, db: Any, make: Any) -> None:
    headers = signup(api)
    uid = user_id(api, headers)
    made: list[Any] = []

    def tracked(title: str, description: str) -> Any:
        m = make(title, description)
        made.append(m)
        return m

    hide_all_but(db, uid, set())  # everything stored so far; ours are made afterwards
    path_scenario(api, headers, tracked)


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("resume.txt", "text/plain", txt_resume()),
        ("resume.docx", "application/octet-stream", docx_resume()),
        ("resume.pdf", "application/pdf", pdf_resume()),
    ],
)
def test_resume_skills_are_suggested_until_confirmed(
    api: Any, name: str, content_type: str, data: bytes
) -> None:
    headers = signup(api)
    api.put("/api/v1/profile", json={"skills": ["Kubernetes"]}, headers=headers)
    res = api.post(
        "/api/v1/profile/resume", files={"file": (name, data, content_type)}, headers=headers
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["resume_filename"] == name and "data pipelines" in body["resume_text"]
    assert {s["name"] for s in body["suggested_skills"]} == RESUME_SKILLS
    assert {s["source"] for s in body["suggested_skills"]} == {"resume"}
    assert body["suggested_years_experience"] == 6.0 and body["resume_extraction"] == "rules"
    # Not counted yet: the reviewed list is what counts.
    assert [s["name"] for s in body["skills"]] == ["Kubernetes"]
    reviewed = ["Kubernetes", "Python", "SQL", "Airflow", "Go"]  # Spark etc. removed, Go added
    res = api.put("/api/v1/profile", json={"skills": reviewed}, headers=headers)
    skills = {s["name"]: s["source"] for s in res.json()["skills"]}
    assert skills == {
        "Kubernetes": "manual",
        "Python": "resume",
        "SQL": "resume",
        "Apache Airflow": "resume",  # "Airflow" is its alias
        "Go": "manual",
    }
    assert res.json()["suggested_skills"] == []
    again = api.get("/api/v1/profile", headers=headers).json()
    assert {s["name"]: s["source"] for s in again["skills"]} == skills


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("cv.pdf", b"%PDF-1.7 this is no pdf at all", 422, "PDF could not be read"),
        ("cv.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "not a readable PDF or DOCX"),
        ("cv.docx", b"PK\x03\x04garbage", 422, "DOCX file could not be read"),
        ("cv.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "binary file"),
        ("cv.txt", b"", 422, "empty"),
        ("cv.txt", b"hi", 422, "no text found"),
        ("cv.pdf", pdf_resume(" "), 422, "no text found in the PDF"),
        ("cv.txt", b"Python " * 400_000, 413, "too large"),
    ],
)
def test_unreadable_resumes_are_refused_clearly(
    api: Any, name: str, data: bytes, status: int, message: str
) -> None:
    headers = signup(api)
    res = api.post("/api/v1/profile/resume", files={"file": (name, data)}, headers=headers)
    assert res.status_code == status, res.text
    assert message in res.json()["detail"]
    assert api.get("/api/v1/profile", headers=headers).json()["resume_text"] is None


def test_profile_fields_validation_and_pasted_resume(api: Any) -> None:
    headers = signup(api)
    res = api.put(
        "/api/v1/profile",
        json={
            "years_experience": 4.5,
            "current_title": "  Data Engineer ",
            "seniority": "associate",
            "resume_text": "I wrote Rust and Go services for 5 years.",
        },
        headers=headers,
    )
    body = res.json()
    assert res.status_code == 200, res.text
    assert (body["years_experience"], body["current_title"], body["seniority"]) == (
        4.5,
        "Data Engineer",
        "associate",
    )
    assert {s["name"] for s in body["suggested_skills"]} == {"Rust", "Go"}
    for bad, where in [
        ({"skills": ["Python", "Blorbscript"]}, "Blorbscript"),
        ({"seniority": "wizard"}, "seniority"),
        ({"years_experience": -1}, "years_experience"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ]:
        res = api.put("/api/v1/profile", json=bad, headers=headers)
        assert res.status_code == 422 and where in res.json()["detail"], res.text
    assert api.get("/api/v1/profile", headers=headers).json()["seniority"] == "associate"
    vocab = api.get("/api/v1/profile/vocabulary", headers=headers).json()
    assert "Kubernetes" in vocab and len(vocab) > 500


def test_profile_is_private_exported_and_deleted_with_the_account(api: Any, db: Any) -> None:
    alice, bob = signup(api), signup(api)
    api.put("/api/v1/profile", json={"skills": ["Python"], "years_experience": 3}, headers=alice)
    assert api.get("/api/v1/profile", headers=bob).json()["skills"] == []
    assert api.get("/api/v1/profile", headers={}).status_code == 401
    export = api.get("/api/v1/exports/all.zip", headers=alice)
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        import json

        profile = json.loads(zf.read("profile.json"))
    assert profile["skills"] == [{"name": "Python", "source": "manual"}]
    assert profile["years_experience"] == 3
    with zipfile.ZipFile(io.BytesIO(api.get("/api/v1/exports/all.zip", headers=bob).content)) as zf:
        assert "profile.json" not in zf.namelist()
    uid = user_id(api, alice)
    db.delete(db.get(User, uid))
    db.commit()
    assert db.get(Profile, uid) is None


def test_match_on_predictions_and_recommendations(api: Any, db: Any, make: Any) -> None:
    headers = signup(api)
    api.put("/api/v1/profile", json={"skills": ["Python", "SQL"]}, headers=headers)
    near = make("Data Engineer", "Requirements:\n- Python and SQL\nBonus: Airflow")
    far = make("Platform Engineer", "Kubernetes, Go and Terraform.")
    hide_all_but(db, user_id(api, headers), {near.id, far.id})
    res = api.post("/api/v1/predictions", json={"url": near.url}, headers=headers)
    assert res.status_code == 200, res.text
    pred = res.json()["prediction"]
    assert pred["match"] == round(2 / 2.5, 4) and pred["missing_skills"] == ["Apache Airflow"]
    assert pred["experience_gap_years"] == 0.0
    items = api.get("/api/v1/recommendations", headers=headers).json()["items"]
    by_id = {i["posting"]["id"]: i for i in items}
    assert by_id[near.id]["match"] == 0.8
    assert by_id[far.id]["match"] == 0.0
    assert by_id[far.id]["missing_skills"] == ["Kubernetes", "Go", "Terraform"]
    filtered = api.get("/api/v1/recommendations?min_match=0.5", headers=headers).json()["items"]
    assert [i["posting"]["id"] for i in filtered] == [near.id]
    assert api.get("/api/v1/recommendations?min_match=2", headers=headers).status_code == 422


def test_no_profile_no_match_claimed(api: Any, db: Any, make: Any) -> None:
    """Without a profile there is nothing to match against: no "0 %, missing everything"."""
    headers = signup(api)
    posting = make("Data Engineer", "Requirements:\n- Python and SQL")
    hide_all_but(db, user_id(api, headers), {posting.id})
    pred = api.post("/api/v1/predictions", json={"url": posting.url}, headers=headers).json()
    assert pred["prediction"]["match"] is None and pred["prediction"]["missing_skills"] == []
    items = api.get("/api/v1/recommendations", headers=headers).json()["items"]
    assert [(i["match"], i["missing_skills"]) for i in items] == [(None, [])]
    res = api.get("/api/v1/recommendations?min_match=0.5", headers=headers)
    assert res.status_code == 422 and "profile" in res.json()["detail"]
    api.put("/api/v1/profile", json={"skills": ["Python"]}, headers=headers)
    items = api.get("/api/v1/recommendations", headers=headers).json()["items"]
    assert items[0]["match"] is not None and items[0]["missing_skills"] == ["SQL"]
