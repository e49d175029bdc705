"""The application tracker through the real API on Postgres with a worker and the LinkedIn
stand-in: moves recorded with dates, tracked postings leave recommendations, CSV round trip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Worker, signup, wait_for, wait_job

A = "/api/v1/applications"


@pytest.fixture(scope="module")
def found(worker: Worker, linkedin: Any, api: Any) -> dict[str, Any]:
    """A user whose search stored and scored eight postings."""
    headers = signup(api)
    res = api.post(
        "/api/v1/searches",
        json={"keywords": "product manager", "location": "Dublin", "limit": 8},
        headers=headers,
    )
    job = wait_job(api, headers, res.json()["job"]["id"], timeout=120)
    assert job["status"] == "succeeded", job
    ids = [i["posting"]["id"] for i in job["result"]["items"]]
    assert len(ids) == 8
    return {"api": api, "headers": headers, "ids": ids}


def _aware(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    assert moment.utcoffset() is not None, iso
    return moment


def test_moves_are_recorded_with_dates(found: dict[str, Any]) -> None:
    api, headers, pid = found["api"], found["headers"], found["ids"][0]
    first = api.put(f"{A}/{pid}", json={"status": "saved", "note": "ask Ana"}, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["applied_at"] is None and first.json()["note"] == "ask Ana"
    again = api.put(f"{A}/{pid}", json={"status": "saved"}, headers=headers)
    assert again.status_code == 200 and len(again.json()["history"]) == 1  # no move, no event
    applied = api.put(f"{A}/{pid}", json={"status": "applied"}, headers=headers).json()
    moved = api.put(f"{A}/{pid}", json={"status": "interviewing"}, headers=headers).json()
    assert [h["status"] for h in moved["history"]] == ["saved", "applied", "interviewing"]
    dates = [_aware(h["at"]) for h in moved["history"]]
    assert dates == sorted(dates)
    assert _aware(moved["changed_at"]) == dates[-1]
    assert _aware(applied["applied_at"]) == dates[1]  # applying stamps applied_at once
    assert moved["applied_at"] == applied["applied_at"]
    assert moved["note"] == "ask Ana"  # a PUT without a note keeps it
    assert moved["days_since_change"] == 0
    assert moved["posting"]["title"] and moved["rating"] is None
    assert moved["prediction"]["predicted"] in (0, 1, 2, 3)

    listed = api.get(f"{A}?status=interviewing", headers=headers).json()
    assert [a["posting_id"] for a in listed] == [pid]
    assert api.get(f"{A}?status=offer", headers=headers).json() == []


def test_bad_input_is_a_clear_4xx(found: dict[str, Any]) -> None:
    api, headers, pid = found["api"], found["headers"], found["ids"][1]
    bad = api.put(f"{A}/{pid}", json={"status": "ghosted"}, headers=headers)
    assert bad.status_code == 422 and "status" in bad.json()["detail"]
    naive = api.put(
        f"{A}/{pid}", json={"status": "applied", "applied_at": "2026-11-01T10:00"}, headers=headers
    )
    assert naive.status_code == 422 and "applied_at" in naive.json()["detail"]
    assert api.put(f"{A}/999999999", json={"status": "saved"}, headers=headers).status_code == 404
    assert api.delete(f"{A}/{pid}", headers=headers).status_code == 404
    url = api.post(A, json={"url": "https://example.org/job/1", "status": "saved"}, headers=headers)
    assert url.status_code == 422 and "LinkedIn" in url.json()["detail"]


def test_another_users_tracker_is_invisible(found: dict[str, Any]) -> None:
    api, headers, pid = found["api"], found["headers"], found["ids"][2]
    api.put(f"{A}/{pid}", json={"status": "offer"}, headers=headers)
    other = signup(api)
    assert api.get(A, headers=other).json() == []
    assert api.delete(f"{A}/{pid}", headers=other).status_code == 404
    mine = api.put(f"{A}/{pid}", json={"status": "saved"}, headers=other)
    assert mine.status_code == 201 and len(mine.json()["history"]) == 1
    assert {a["status"] for a in api.get(A, headers=headers).json() if a["posting_id"] == pid} == {
        "offer"
    }


def test_tracked_postings_leave_recommendations(found: dict[str, Any]) -> None:
    api, headers, ids = found["api"], found["headers"], found["ids"]
    api.put(f"{A}/{ids[3]}", json={"status": "rejected"}, headers=headers)
    tracked = {a["posting_id"] for a in api.get(A, headers=headers).json()}
    recs = api.get("/api/v1/recommendations?limit=500", headers=headers).json()["items"]
    shown = {i["posting"]["id"] for i in recs}
    assert shown and not shown & tracked
    everything = api.get(
        "/api/v1/recommendations?limit=500&include_tracked=true", headers=headers
    ).json()["items"]
    assert tracked <= {i["posting"]["id"] for i in everything}
    assert api.delete(f"{A}/{ids[3]}", headers=headers).status_code == 204
    back = api.get("/api/v1/recommendations?limit=500", headers=headers).json()["items"]
    assert ids[3] in {i["posting"]["id"] for i in back}


def test_track_by_url_fetches_the_posting(found: dict[str, Any]) -> None:
    api, headers = found["api"], found["headers"]
    url = "https://www.linkedin.com/jobs/view/senior-analyst-at-acme-3400777001/?refId=x"
    res = api.post(A, json={"url": url, "status": "saved"}, headers=headers)
    assert res.status_code == 201, res.text
    pid = res.json()["posting_id"]

    def fetched() -> Any:
        item = next(a for a in api.get(A, headers=headers).json() if a["posting_id"] == pid)
        return item if item["posting"]["title"] else None

    assert wait_for(fetched, timeout=60)["posting"]["job_id"] == "3400777001"


def test_export_then_import_restores_the_tracker(found: dict[str, Any]) -> None:
    api, headers, ids = found["api"], found["headers"], found["ids"]
    api.put(f"{A}/{ids[4]}", json={"status": "applied", "note": 'café, "quoted"'}, headers=headers)
    api.put(f"{A}/{ids[4]}", json={"status": "withdrawn"}, headers=headers)
    mine = {a["posting_id"]: a for a in api.get(A, headers=headers).json()}
    exported = api.get("/api/v1/exports/applications.csv", headers=headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["job_id"] for r in rows} >= {mine[ids[4]]["posting"]["job_id"]}
    whole = zipfile.ZipFile(io.BytesIO(api.get("/api/v1/exports/all.zip", headers=headers).content))
    assert whole.read("applications.csv").decode() == exported.text

    other = signup(api)
    res = api.post(
        "/api/v1/imports",
        files={"file": ("applications.csv", exported.content, "text/csv")},
        headers=other,
    )
    assert res.status_code == 202, res.text
    job = wait_job(api, other, res.json()["job"]["id"])
    assert job["status"] == "succeeded" and job["result"]["imported"] == len(rows), job
    theirs = {a["posting"]["job_id"]: a for a in api.get(A, headers=other).json()}
    for a in mine.values():
        copy = theirs[a["posting"]["job_id"]]
        assert copy["status"] == a["status"] and copy["note"] == a["note"]
        assert copy["applied_at"] == a["applied_at"]
        assert [(h["status"], _aware(h["at"])) for h in copy["history"]] == [
            (h["status"], _aware(h["at"])) for h in a["history"]
        ]
    broken = "url,status,history\nhttps://www.linkedin.com/jobs/view/3400777002/,hired,[]\n"
    bad_rows = api.post(
        "/api/v1/imports", files={"file": ("a.csv", broken.encode(), "text/csv")}, headers=other
    )
    failed = wait_job(api, other, bad_rows.json()["job"]["id"])
    assert failed["result"]["failed"] == 1 and "status" in failed["result"]["errors"][0]["error"]
    assert json.loads(rows[0]["history"])  # the history travels as JSON
