"""Per-user models through the real stack: ratings -> automatic training -> predictions,
search, recommendations with blocklist and hiding, insights, import and export."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, select

from shared.db.base import utcnow
from shared.db.models import Posting, Prediction
from shared.db.session import get_engine, session_scope
from shared.extraction.currency import to_usd
from shared.schemas import snippet
from tests.conftest import Worker, cancel_jobs, signup, wait_for, wait_job

URL = "https://www.linkedin.com/jobs/view/{}/"
FIRST_ID = 3400100000


def assert_one_rule(pred: dict[str, Any]) -> None:
    """The rating shown is the median of the odds shown; the expected score their mean."""
    odds = pred["probabilities"]
    k = pred["predicted"]
    assert sum(odds[: k + 1]) >= 0.5 - 1e-6 and sum(odds[k:]) >= 0.5 - 1e-6, pred
    assert abs(sum(i * p for i, p in enumerate(odds)) - pred["expected_score"]) < 1e-6, pred


def idle(api: Any, headers: dict[str, str]) -> bool:
    jobs = api.get("/api/v1/jobs?limit=200", headers=headers).json()["items"]
    return all(j["status"] not in ("queued", "running") for j in jobs)


@pytest.fixture(scope="module")
def rated(worker: Worker, linkedin: Any, api: Any) -> dict[str, Any]:
    """A user with 14 ratings whose model has trained by itself."""
    headers = signup(api)
    for i in range(14):
        res = api.post(
            "/api/v1/ratings",
            json={"url": URL.format(FIRST_ID + i), "rating": i % 4},
            headers=headers,
        )
        assert res.status_code == 202
    # Generous: the first extraction loads the embedding model, slow on a busy machine.
    wait_for(lambda: idle(api, headers), timeout=480, every=0.5)
    return {"headers": headers, "api": api}


def test_model_trains_by_itself_and_lists_its_leaderboard(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    active = api.get("/api/v1/models/active", headers=headers)
    assert active.status_code == 200, active.text
    model = active.json()
    assert model["is_active"] and model["version"] >= 1 and model["n_ratings"] >= 12
    assert {"cv_accuracy", "cv_mae", "cv_mse", "spearman", "confusion_matrix"} <= set(
        model["metrics"]
    )
    assert len(model["leaderboard"]) >= 2
    assert 0.0 <= model["metrics"]["cv_accuracy"] <= 1.0
    versions = api.get("/api/v1/models", headers=headers).json()
    assert [v["is_active"] for v in versions].count(True) == 1


def is_utc_iso(stamp: str | None) -> bool:
    return stamp is not None and (stamp.endswith("Z") or stamp.endswith("+00:00"))


def test_timestamps_carry_their_offset_and_finished_jobs_say_so(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    jobs = api.get("/api/v1/jobs?limit=200", headers=headers).json()["items"]
    for job in jobs:
        assert is_utc_iso(job["created_at"]) and is_utc_iso(job["finished_at"]), job
        if job["status"] == "succeeded":
            assert job["message"].startswith("finished"), job
    ratings = api.get("/api/v1/ratings?limit=5", headers=headers).json()["items"]
    assert all(is_utc_iso(r["created_at"]) and is_utc_iso(r["updated_at"]) for r in ratings)
    model = api.get("/api/v1/models/active", headers=headers).json()
    assert is_utc_iso(model["created_at"])


def test_on_demand_training_makes_a_new_version(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    before = len(api.get("/api/v1/models", headers=headers).json())
    active = api.get("/api/v1/models/active", headers=headers).json()["version"]
    listed = api.get("/api/v1/recommendations?limit=5", headers=headers).json()  # now cached
    assert listed["model_version"] == active
    res = api.post("/api/v1/models/train", headers=headers)
    assert res.status_code == 202
    job = wait_job(api, headers, res.json()["job"]["id"], timeout=120)
    assert job["status"] == "succeeded", job
    assert job["result"]["model_version"] == before + 1
    assert api.get("/api/v1/models/active", headers=headers).json()["version"] == before + 1
    # The new version's list at once, not the cached one.
    listed = api.get("/api/v1/recommendations?limit=5", headers=headers).json()
    assert listed["model_version"] == before + 1


def predicted_after_a_scrape(api: Any, headers: dict[str, str], job_id: int) -> str:
    """A new posting's first prediction is a scrape (202); the URL, once it and its follow-ups
    are done."""
    url = URL.format(job_id)
    first = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
    assert first.status_code == 202
    wait_job(api, headers, first.json()["job"]["id"])
    wait_for(lambda: idle(api, headers), timeout=60)
    return url


def test_predict_new_posting_scrapes_first_then_answers(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    url = predicted_after_a_scrape(api, headers, 3400199999)
    second = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
    assert second.status_code == 200, second.text
    pred = second.json()["prediction"]
    assert pred["predicted"] in (0, 1, 2, 3)
    assert len(pred["probabilities"]) == 4 and abs(sum(pred["probabilities"]) - 1) < 1e-3
    assert pred["model_version"] is not None and pred["heuristic"] is False
    assert not pred.get("explanation")  # computed only when asked for
    assert_one_rule(pred)
    asked = api.post("/api/v1/predictions?explain=true", json={"url": url}, headers=headers)
    explained = asked.json()["prediction"]
    why = explained["explanation"]
    # An exact decomposition in rating points: baseline + contributions = expected score.
    total = why["baseline"] + sum(c["effect"] for c in why["contributions"])
    assert abs(total - explained["expected_score"]) < 1e-4
    assert why["expected_score"] == explained["expected_score"]
    labels = [c["label"] for c in why["contributions"]]
    assert any(label.startswith("title") for label in labels)
    assert not any("chars" in label or "title: " in label for label in labels)
    for c in why["contributions"]:
        assert c["effect"] == 0 or c["shown"] not in ("+0.00", "-0.00", "0.00")
    # The stored row and the freshly computed score agree.
    same = ("predicted", "probabilities", "expected_score", "model_version")
    assert {k: explained[k] for k in same} == {k: pred[k] for k in same}
    again = api.post("/api/v1/predictions?explain=true", json={"url": url}, headers=headers)
    assert again.json()["prediction"] == explained  # the cached explanation
    # A new model version: the stored row of the old one is not served any more.
    train = api.post("/api/v1/models/train", headers=headers).json()["job"]
    assert wait_job(api, headers, train["id"], timeout=120)["status"] == "succeeded"
    newer = api.post("/api/v1/predictions", json={"url": url}, headers=headers).json()
    assert newer["prediction"]["model_version"] == pred["model_version"] + 1
    bad = api.post("/api/v1/predictions", json={"url": "https://example.org/x"}, headers=headers)
    assert bad.status_code == 422


def test_a_stored_prediction_is_one_statement_and_follows_the_stored_rows(
    rated: dict[str, Any],
) -> None:
    """The stored answer is the full path's (the same posting and prediction fields) from one
    SELECT, and never outlives what it depends on: a re-extraction of the posting, a score
    from before the active model, rules of another version."""
    api, headers = rated["api"], rated["headers"]
    user_id = api.get("/api/v1/me", headers=headers).json()["user"]["id"]
    url = predicted_after_a_scrape(api, headers, 3400188888)
    full = api.post("/api/v1/predictions?explain=true", json={"url": url}, headers=headers)
    assert full.status_code == 200, full.text
    expected = full.json()
    expected["prediction"].pop("explanation")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "api_tokens" not in statement:  # the token's lookup once its cache entry expires
            statements.append(statement)

    execute = psycopg.AsyncCursor.execute

    async def seen_on_the_loop(cursor: Any, statement: Any, *args: Any, **kw: Any) -> Any:
        seen(None, cursor, str(statement))  # the gateway's reads on its event loop's pool
        return await execute(cursor, statement, *args, **kw)

    event.listen(get_engine(), "before_cursor_execute", seen)
    psycopg.AsyncCursor.execute = seen_on_the_loop  # type: ignore[method-assign]
    try:
        stored = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
    finally:
        event.remove(get_engine(), "before_cursor_execute", seen)
        psycopg.AsyncCursor.execute = execute  # type: ignore[method-assign]
    assert stored.status_code == 200 and stored.json() == expected
    assert len(statements) == 1 and statements[0].lstrip().startswith("SELECT"), statements

    def predict() -> dict[str, Any]:
        res = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
        assert res.status_code == 200, res.text
        return dict(res.json()["prediction"])

    def change(**values: Any) -> None:
        with session_scope() as session:
            posting = session.scalars(select(Posting).where(Posting.job_id == "3400188888")).one()
            row = session.get(Prediction, {"user_id": user_id, "posting_id": posting.id})
            assert row is not None
            for key, value in values.items():
                setattr(posting if hasattr(Posting, key) else row, key, value)

    marked = {"predicted": 3, "probabilities": [0.0, 0.0, 0.0, 1.0], "expected_score": 3.0}
    change(**marked)
    assert {k: predict()[k] for k in marked} == marked  # the stored row answers
    change(**marked, extracted_at=utcnow())  # read again after the row was scored
    assert predict() == expected["prediction"]
    change(**marked, model_version_id=None)  # the heuristic's, from before the model
    assert predict() == expected["prediction"]
    change(rules_extraction={"rules_version": "2026.11.26-1"})  # to be extracted again
    again = api.post("/api/v1/predictions", json={"url": url}, headers=headers)
    assert again.status_code == 202 and again.json()["job"]["kind"] == "scrape"
    cancel_jobs(api, headers)


def test_search_then_recommendations_honour_blocklist_and_hiding(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    res = api.post(
        "/api/v1/searches",
        json={"keywords": "data engineer", "location": "Zurich", "limit": 12},
        headers=headers,
    )
    assert res.status_code == 202
    job = wait_job(api, headers, res.json()["job"]["id"], timeout=120)
    assert job["status"] == "succeeded", job
    items = job["result"]["items"]
    assert len(items) == 12
    scores = [i["expected_score"] for i in items]
    assert scores == sorted(scores, reverse=True)

    recs = api.get("/api/v1/recommendations?limit=100", headers=headers).json()
    assert recs["heuristic"] is False and len(recs["items"]) >= 12
    rec_scores = [i["expected_score"] for i in recs["items"]]
    assert rec_scores == sorted(rec_scores, reverse=True)
    for it in items + recs["items"]:
        assert_one_rule(it)
        assert it["score_text"] == f"{it['expected_score']:.1f} / 3"
        assert 2 <= len(it["reasons"]) <= 3
        assert all(r["label"] and r["shown"] for r in it["reasons"])
    rated_ids = {
        r["posting_id"]
        for r in api.get("/api/v1/ratings?limit=100", headers=headers).json()["items"]
    }
    assert not rated_ids & {i["posting"]["id"] for i in recs["items"]}

    # Cards carry the description's first lines; the posting itself has the whole text.
    card = recs["items"][0]["posting"]
    full = api.get(f"/api/v1/postings/{card['id']}", headers=headers).json()["description_text"]
    assert "description_text" not in card and full
    assert snippet(full) == card["description_snippet"] and len(card["description_snippet"]) <= 281
    assert full.startswith(card["description_snippet"].removesuffix("…"))

    company = recs["items"][0]["posting"]["company"]
    assert (
        api.post(
            "/api/v1/blocklist",
            json={"kind": "company", "pattern": company.upper()},
            headers=headers,
        ).status_code
        == 201
    )
    after = api.get("/api/v1/recommendations?limit=100", headers=headers).json()["items"]
    assert company not in {i["posting"]["company"] for i in after}
    hidden = after[0]["posting"]["id"]
    assert api.post(f"/api/v1/postings/{hidden}/hide", headers=headers).status_code == 204
    again = api.get("/api/v1/recommendations?limit=100", headers=headers).json()["items"]
    assert hidden not in {i["posting"]["id"] for i in again}
    rules = api.get("/api/v1/blocklist", headers=headers).json()
    assert api.delete(f"/api/v1/blocklist/{rules[0]['id']}", headers=headers).status_code == 204
    back = api.get("/api/v1/recommendations?limit=100", headers=headers).json()["items"]
    assert company in {i["posting"]["company"] for i in back}

    remote = api.get("/api/v1/recommendations?workplace=remote&limit=100", headers=headers).json()
    assert all(i["posting"]["workplace_type"] == "remote" for i in remote["items"])
    rich = api.get("/api/v1/recommendations?min_salary=100000&limit=100", headers=headers).json()
    assert rich["items"]
    for i in rich["items"]:  # compared in rough US dollars across currencies
        p = i["posting"]
        assert to_usd(p["annual_max"] or p["annual_min"], p["salary_currency"]) >= 100000


def test_new_user_gets_the_heuristic_and_a_clear_reason(rated: dict[str, Any]) -> None:
    api = rated["api"]
    newcomer = signup(api)
    res = api.post("/api/v1/models/train", headers=newcomer)
    assert res.status_code == 422
    assert "too few ratings" in res.json()["detail"]
    recs = api.get("/api/v1/recommendations", headers=newcomer).json()
    assert recs["heuristic"] is True and recs["model_version"] is None
    assert len(recs["items"]) > 0
    for it in recs["items"]:
        assert_one_rule(it)  # the heuristic follows the same rule
        assert {r["label"].split()[0].rstrip(":") for r in it["reasons"]} <= {
            "pay",
            "no",
            "seniority",
        }
    assert api.get("/api/v1/models/active", headers=newcomer).status_code == 404


def test_insights_and_exports(rated: dict[str, Any]) -> None:
    api, headers = rated["api"], rated["headers"]
    info = api.get("/api/v1/insights", headers=headers).json()
    assert sum(info["rating_counts"]) == 14
    assert info["rating_counts"] == [4, 4, 3, 3]
    assert info["drivers"]["raise"] or info["drivers"]["lower"]
    me = api.get("/api/v1/me", headers=headers).json()
    assert me["counts"]["ratings"] == 14 and me["model"]["version"] >= 1

    exported = api.get("/api/v1/exports/ratings.csv", headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 14 and {r["rating"] for r in rows} == {"0", "1", "2", "3"}
    assert all(r["title"] for r in rows)
    archive = zipfile.ZipFile(
        io.BytesIO(api.get("/api/v1/exports/all.zip", headers=headers).content)
    )
    names = set(archive.namelist())
    assert {"ratings.csv", "models.json"} <= names
    assert any(n.startswith("model-v") and n.endswith(".skops") for n in names)


def test_import_reports_errors_per_row_and_keeps_imported_text_private(
    rated: dict[str, Any],
) -> None:
    api = rated["api"]
    headers = signup(api)
    text = (
        "url,rating\n"
        + URL.format(3400150001)
        + ",3\nhttps://example.com/nope,2\n"
        + URL.format(3400150002)
        + ",7\n"
    )
    res = api.post(
        "/api/v1/imports", files={"file": ("mine.csv", text, "text/csv")}, headers=headers
    )
    assert res.status_code == 202
    job = wait_job(api, headers, res.json()["job"]["id"])
    assert job["status"] == "succeeded"
    assert job["result"]["imported"] == 1 and job["result"]["failed"] == 2
    assert [e["row"] for e in job["result"]["errors"]] == [3, 4]
    assert "not a LinkedIn job URL" in job["result"]["errors"][0]["error"]
    assert "rating must be 0, 1, 2 or 3" in job["result"]["errors"][1]["error"]

    proto = io.StringIO()
    writer = csv.writer(proto)
    writer.writerow(["posting_text", "rating", "min_salary", "max_salary"])
    body = (
        "position is Secret Staff Engineer\ncompany is Hushhush AG\n"
        "location is Basel, Switzerland\nsalary is CHF 150,000 - CHF 180,000\n\n"
        "Seniority level is Mid-Senior level\nEmployment type is Full-time\n\n"
        "We build quiet things in Python and Rust."
    )
    writer.writerow([body, 3, 150, 180])
    res = api.post(
        "/api/v1/imports",
        files={"file": ("proto.csv", proto.getvalue(), "text/csv")},
        headers=headers,
    )
    job = wait_job(api, headers, res.json()["job"]["id"])
    assert job["result"]["imported"] == 1 and job["result"]["format"] == "prototype"
    mine = api.get("/api/v1/ratings", headers=headers).json()["items"]
    imported = next(r for r in mine if r["title"] == "Secret Staff Engineer")
    posting = api.get(f"/api/v1/postings/{imported['posting_id']}", headers=headers).json()
    assert posting["source"] == "imported" and posting["url"] is None
    assert posting["salary_currency"] == "CHF" and posting["annual_min"] == 150000
    other = rated["headers"]
    recs = api.get("/api/v1/recommendations?limit=500", headers=other).json()["items"]
    assert "Hushhush AG" not in {i["posting"]["company"] for i in recs}
    # Imported text belongs to its importer: another user gets 404, as for a missing id.
    theirs = api.get(f"/api/v1/postings/{imported['posting_id']}", headers=other)
    assert theirs.status_code == 404 and theirs.json()["detail"] == "posting not found"
    hide = api.post(f"/api/v1/postings/{imported['posting_id']}/hide", headers=other)
    assert hide.status_code == 404

    wrong = api.post(
        "/api/v1/imports", files={"file": ("x.csv", "a,b\n1,2\n", "text/csv")}, headers=headers
    )
    assert wrong.status_code == 422 and "url,rating" in wrong.json()["detail"]
