"""Test data for the career path: stored postings made through the real extraction, a
resume in each format generated here, and the scenario both databases run."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Posting
from shared.extraction_store import extract_and_store
from shared.linkedin import canonical_url

RESUME = """Jane Doe — Data Engineer
Experience: 6 years of experience building data pipelines.
Skills: Python, SQL, Airflow, dbt, Docker and PostgreSQL.
Led the migration of nightly batch jobs to Spark."""
RESUME_SKILLS = {
    "Data pipelines",
    "Python",
    "SQL",
    "Apache Airflow",
    "dbt",
    "Docker",
    "PostgreSQL",
    "Spark",
}

# (title, description, rating): the Kubernetes postings are wanted, the rest are not.
KUBERNETES = (
    "Platform Engineer",
    "We run our services on Kubernetes.\nRequirements:\n- Python and Kubernetes in "
    "production\n- 3+ years of experience\nNice to have:\n- Terraform",
)
OTHERS = [
    ("Java Developer", "Requirements:\n- Java and Spring Boot\n- 2+ years of experience", 0),
    ("Data Analyst", "You know SQL and Tableau well.", 1),
    ("iOS Engineer", "Swift and SwiftUI every day.", 0),
    ("Backend Engineer", "Python, SQL and Django.", 1),
]


@dataclass
class Made:
    id: int
    job_id: str
    url: str


def make_posting(session: Session, title: str, description: str, **fields: Any) -> Made:
    """A stored, fresh posting whose fields come from the real extraction, as if scraped."""
    job_id = str(random.randrange(3_900_000_000, 3_999_999_999))
    now = utcnow()
    posting = Posting(
        job_id=job_id,
        url=canonical_url(job_id),
        source="linkedin",
        status="fetched",
        fetched_at=now,
        title=title,
        company=fields.pop("company", "Acme"),
        description_text=description,
        seniority=fields.pop("seniority", "Mid-Senior level"),
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(posting)
    session.flush()
    extract_and_store(session, posting, user_id=None)
    return Made(posting.id, job_id, canonical_url(job_id))


def txt_resume() -> bytes:
    return RESUME.encode()


def docx_resume() -> bytes:
    import docx

    document = docx.Document()
    lines = RESUME.splitlines()
    for line in lines[:-2]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=1)  # skills in a table, as resumes often have
    table.rows[0].cells[0].text = lines[-2]
    document.add_paragraph(lines[-1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_resume(text: str = RESUME) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line.replace("—", "-"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def wanted_and_not(make: Any) -> tuple[list[Made], list[tuple[Made, int]]]:
    """Eight Kubernetes postings and the others, made with `make(title, description)`."""
    kubernetes = [make(*KUBERNETES) for _ in range(8)]
    others = [(make(title, text), rating) for title, text, rating in OTHERS]
    others.append((make("Data Engineer", "Python and SQL, every day."), 1))
    return kubernetes, others


def path_scenario(client: Any, headers: dict[str, str], make: Any) -> None:
    """A user with {Python, SQL} who rates Kubernetes postings 3 and the rest low gets
    Kubernetes as the first gap, never Python; the what-if moves those postings into reach."""
    kubernetes, others = wanted_and_not(make)
    for made, rating in [(m, 3) for m in kubernetes] + others:
        rating_in = {"url": made.url, "rating": rating}
        res = client.post("/api/v1/ratings", json=rating_in, headers=headers)
        assert res.status_code == 202, res.text
    profile = {"skills": ["python", "sql"], "years_experience": 5}
    res = client.put("/api/v1/profile", json=profile, headers=headers)
    assert res.status_code == 200, res.text
    assert [s["name"] for s in res.json()["skills"]] == ["Python", "SQL"]

    k_ids = {m.id for m in kubernetes}
    body = client.get("/api/v1/career/map", headers=headers).json()
    zones = {p["posting_id"]: p for p in body["postings"]}
    assert set(zones) == k_ids | {m.id for m, _ in others}
    for pid in k_ids:
        p = zones[pid]
        assert (p["zone"], p["desirability"], p["rated"]) == ("stretch", 3.0, True)
        # Python (1) of Python (1) + Kubernetes (1) + Terraform (nice: 0.5)
        assert p["match"] == 0.4 and p["missing_skills"] == ["Kubernetes", "Terraform"]
    fallback = [p for p in body["postings"] if p["zone"] == "fallback"]
    assert [p["title"] for p in fallback] == ["Data Engineer"]
    assert body["thresholds"] == {"want": 2.0, "match": 0.7}
    assert body["counts"]["stretch"] == 8 and body["profile"] is True and body["ratings"] == 13

    gaps = client.get("/api/v1/career/gaps?limit=5", headers=headers).json()
    assert gaps["target_postings"] == 8 and gaps["within_reach"] == 0
    first = gaps["gaps"][0]
    assert first["skill"] == "Kubernetes"
    assert first["postings_asking"] == 8 and first["postings_unlocked"] == 8
    assert first["desirability_gain"] == round(8 * 3 * (0.8 - 0.4), 2)
    assert set(first["examples"]) <= k_ids and len(first["examples"]) == 5
    skills = [g["skill"] for g in gaps["gaps"]]
    assert "Python" not in skills and "SQL" not in skills
    assert skills == ["Kubernetes", "Terraform"]  # Terraform: nice-to-have, unlocks none alone
    assert gaps["gaps"][1]["postings_unlocked"] == 0
    step = gaps["plan"][0]
    assert step["step"] == "Learn Kubernetes"
    assert "8 of your 8 stretch jobs ask for it; with it, 8 become within reach" in step["why"]
    assert gaps["plan_source"] == "template" and gaps["narrative"] is None

    what_if = client.get("/api/v1/career/gaps?assume=k8s", headers=headers).json()
    assert what_if["assumed"] == ["Kubernetes"]
    assert set(what_if["moves_into_reach"]) == k_ids
    assert what_if["within_reach"] == 8 and "Kubernetes" not in [
        g["skill"] for g in what_if["gaps"]
    ]
    assumed_map = client.get("/api/v1/career/map?assume=kubernetes", headers=headers).json()
    reach = {p["posting_id"] for p in assumed_map["postings"] if p["zone"] == "within_reach"}
    assert reach == k_ids
    bad = client.get("/api/v1/career/gaps?assume=kubernetes,cobolx", headers=headers)
    assert bad.status_code == 422 and "cobolx" in bad.json()["detail"]
    assert client.get("/api/v1/career/gaps?limit=0", headers=headers).status_code == 422
