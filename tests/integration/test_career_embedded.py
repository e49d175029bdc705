"""The career path on `make run`'s embedded default: SQLite and the filesystem broker,
started by the launcher, every career endpoint over real HTTP."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx

from shared.db.session import make_engine
from tests.career_data import RESUME_SKILLS, docx_resume, make_posting, path_scenario
from tests.integration import embedded


def test_career_endpoints_on_sqlite(linkedin: Any) -> None:
    from sqlalchemy.orm import Session

    env = dict(
        LIR_LINKEDIN_BASE_URL=linkedin.base_url,
        LIR_MIN_RATINGS_FOR_MODEL="100",  # no training: this test is about the path
    )
    with embedded.running("lir-career-embedded-", env) as run:
        base = run.base
        engine = make_engine(f"sqlite:///{run.db_path}")
        try:
            with httpx.Client(base_url=base, timeout=30) as client, Session(engine) as db:
                res = client.post(
                    "/api/v1/auth/signup",
                    json={"email": "path@example.com", "password": "pass-word-1"},
                )
                headers = {"Authorization": f"Bearer {res.json()['token']}"}

                def make(title: str, text: str) -> Any:
                    made = make_posting(db, title, text)
                    db.commit()
                    return made

                path_scenario(client, headers, make)

                res = client.post(
                    "/api/v1/profile/resume",
                    files={"file": ("cv.docx", docx_resume(), "application/octet-stream")},
                    headers=headers,
                )
                assert res.status_code == 200, res.text
                assert {s["name"] for s in res.json()["suggested_skills"]} == RESUME_SKILLS - {
                    "Python",
                    "SQL",
                }
                junk = {"file": ("cv.pdf", b"%PDF-1.4 junk")}
                bad = client.post("/api/v1/profile/resume", files=junk, headers=headers)
                assert bad.status_code == 422 and "PDF could not be read" in bad.json()["detail"]
                items = client.get("/api/v1/recommendations", headers=headers).json()["items"]
                assert items == []  # everything stored is rated
                export = client.get("/api/v1/exports/all.zip", headers=headers)
                with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
                    assert b'"Python"' in zf.read("profile.json")
        finally:
            engine.dispose()
