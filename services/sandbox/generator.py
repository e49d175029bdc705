"""Deterministic fake job postings: the same numeric id always yields the same posting.

Two properties are encoded in the id itself so that search can honour them without
scanning: the field (`id % len(FIELDS)`) and the workplace type
(`(id // len(FIELDS)) % 3`). Everything else comes from `random.Random(id)`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

WORKPLACES = ("On-site", "Remote", "Hybrid")  # index = f_WT value - 1
ID_BASE = 4_000_000_000


@dataclass(frozen=True)
class Field:
    name: str
    titles: tuple[str, ...]
    job_function: str
    industries: tuple[str, ...]
    skills: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field(
        "software",
        (
            "Software Engineer",
            "Backend Engineer",
            "Frontend Developer",
            "Platform Engineer",
            "Site Reliability Engineer",
            "Full Stack Developer",
            "Mobile Engineer (iOS)",
        ),
        "Engineering and Information Technology",
        (
            "Software Development",
            "Technology, Information and Internet",
            "IT Services and IT Consulting",
        ),
        ("Python", "Go", "TypeScript", "Kubernetes", "PostgreSQL", "AWS", "React", "Rust"),
    ),
    Field(
        "data",
        (
            "Data Scientist",
            "Data Engineer",
            "Machine Learning Engineer",
            "Data Analyst",
            "Analytics Engineer",
            "Applied Scientist",
        ),
        "Engineering and Information Technology",
        ("Software Development", "Financial Services", "Pharmaceutical Manufacturing"),
        ("SQL", "Python", "Spark", "dbt", "PyTorch", "statistics", "Airflow", "scikit-learn"),
    ),
    Field(
        "design",
        ("Product Designer", "UX Researcher", "UI Designer", "Design Systems Lead"),
        "Design, Art/Creative, and Information Technology",
        ("Design Services", "Software Development", "Retail"),
        ("Figma", "user research", "prototyping", "accessibility", "design systems"),
    ),
    Field(
        "product",
        ("Product Manager", "Technical Product Manager", "Product Owner", "Program Manager"),
        "Product Management and Marketing",
        ("Software Development", "E-Learning Providers", "Banking"),
        ("roadmaps", "discovery", "stakeholder management", "OKRs", "A/B testing"),
    ),
    Field(
        "marketing",
        (
            "Marketing Manager",
            "Growth Marketer",
            "Content Strategist",
            "SEO Specialist",
            "Brand Manager",
        ),
        "Marketing and Sales",
        ("Advertising Services", "Retail", "Consumer Goods"),
        ("SEO", "Google Analytics", "copywriting", "paid social", "HubSpot"),
    ),
    Field(
        "sales",
        (
            "Account Executive",
            "Sales Development Representative",
            "Customer Success Manager",
            "Solutions Consultant",
        ),
        "Sales and Business Development",
        ("Software Development", "Telecommunications", "Staffing and Recruiting"),
        ("Salesforce", "negotiation", "pipeline management", "SaaS sales"),
    ),
    Field(
        "finance",
        ("Financial Analyst", "Accountant", "Controller", "FP&A Manager", "Tax Specialist"),
        "Finance and Accounting/Auditing",
        ("Financial Services", "Accounting", "Banking"),
        ("Excel", "IFRS", "SAP", "forecasting", "audit"),
    ),
    Field(
        "health",
        ("Registered Nurse", "Clinical Research Associate", "Pharmacist", "Physiotherapist"),
        "Health Care Provider",
        ("Hospitals and Health Care", "Pharmaceutical Manufacturing", "Medical Practices"),
        ("patient care", "GCP", "clinical trials", "EMR systems"),
    ),
    Field(
        "operations",
        (
            "Operations Manager",
            "Supply Chain Analyst",
            "Logistics Coordinator",
            "Warehouse Associate",
            "Project Manager",
        ),
        "Management and Manufacturing",
        ("Transportation, Logistics, Supply Chain and Storage", "Manufacturing", "Retail"),
        ("Lean", "ERP", "inventory planning", "vendor management"),
    ),
)

LEVELS = (
    # (title prefix, seniority criteria, experience f_E value)
    ("Intern", "Internship", 1),
    ("Junior", "Entry level", 2),
    ("", "Associate", 3),
    ("Senior", "Mid-Senior level", 4),
    ("Lead", "Mid-Senior level", 4),
    ("Principal", "Director", 5),
    ("Head of", "Executive", 6),
    ("", "Not Applicable", 0),
)

EMPLOYMENT_TYPES = (
    ("Full-time", "F"),
    ("Part-time", "P"),
    ("Contract", "C"),
    ("Temporary", "T"),
    ("Internship", "I"),
    ("Volunteer", "V"),
)

COMPANIES = (
    "Northwind Analytics",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Logistics",
    "Acme Robotics",
    "Hooli",
    "Pied Piper",
    "Vandelay Imports",
    "Cyberdyne Systems",
    "Soylent Foods",
    "Tyrell Biotech",
    "Massive Dynamic",
    "Aperture Labs",
    "Blue Sun Retail",
    "Oceanic Air",
    "Gringotts Bank",
    "Duff Brewing",
    "Monarch Solutions",
    "Helvetia Data AG",
    "Bluebird Bank",
    "Kangaroo Cloud",
    "Maple Leaf Software",
    "Mumbai Fintech Labs",
    "Rhine Pharma GmbH",
    "Baguette Tech SAS",
    "Thames Insurance",
)


@dataclass(frozen=True)
class Place:
    location: str
    country: str
    currency: str  # symbol as LinkedIn shows it
    subdomain: str


PLACES = (
    Place("San Francisco, CA", "US", "$", "www"),
    Place("New York, NY", "US", "$", "www"),
    Place("Austin, TX", "US", "$", "www"),
    Place("Seattle, WA", "US", "$", "www"),
    Place("United States", "US", "$", "www"),
    Place("London, England, United Kingdom", "GB", "£", "uk"),
    Place("Manchester, England, United Kingdom", "GB", "£", "uk"),
    Place("Berlin, Berlin, Germany", "DE", "€", "de"),
    Place("Munich, Bavaria, Germany", "DE", "€", "de"),
    Place("Paris, Île-de-France, France", "FR", "€", "fr"),
    Place("Lyon, Auvergne-Rhône-Alpes, France", "FR", "€", "fr"),
    Place("Amsterdam, North Holland, Netherlands", "NL", "€", "nl"),
    Place("Zürich, Zurich, Switzerland", "CH", "CHF ", "ch"),
    Place("Geneva, Geneva, Switzerland", "CH", "CHF ", "ch"),
    Place("Toronto, Ontario, Canada", "CA", "CA$", "ca"),
    Place("Vancouver, British Columbia, Canada", "CA", "CA$", "ca"),
    Place("Sydney, New South Wales, Australia", "AU", "A$", "au"),
    Place("Melbourne, Victoria, Australia", "AU", "A$", "au"),
    Place("Bengaluru, Karnataka, India", "IN", "₹", "in"),
    Place("Singapore, Singapore", "SG", "SGD ", "sg"),
)

# (period suffix, typical yearly-equivalent multiplier, low, high) per period
PERIODS = (
    ("/yr", 1, 30_000, 250_000),
    ("/mo", 12, 2_500, 18_000),
    ("/hr", 2080, 15, 140),
)

# Local money is roughly USD x factor, so ranges stay plausible per country.
CURRENCY_FACTOR = {
    "$": 1.0,
    "£": 0.8,
    "€": 0.9,
    "CHF ": 0.9,
    "CA$": 1.35,
    "A$": 1.5,
    "₹": 83.0,
    "SGD ": 1.35,
}

TIME_UNITS = (("minute", 1 / 1440), ("hour", 1 / 24), ("day", 1), ("week", 7), ("month", 30))
TIME_UNIT_MAX = {"minute": 59, "hour": 23, "day": 6, "week": 3, "month": 2}


@dataclass(frozen=True)
class GenPosting:
    job_id: str
    title: str
    company: str
    company_slug: str
    location: str
    subdomain: str
    workplace_type: str
    field: str
    seniority: str
    experience: int
    employment_type: str
    job_type_code: str
    job_function: str
    industries: str
    applicants: int
    applicants_text: str
    posted_text: str
    posted_age_days: float
    salary_block: str | None  # "Base pay range" block text
    salary_card: str | None  # what a search card shows (no period)
    salary_in_description: str | None
    pay_usd_year: float | None  # what the page advertises, in US-dollar equivalents per year
    sections: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    # (heading, paragraphs, bullets)

    @property
    def slug(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", f"{self.title} at {self.company}".lower())
        return words.strip("-")

    @property
    def view_path(self) -> str:
        return f"/jobs/view/{self.slug}-{self.job_id}"


def _money(
    rng: random.Random, currency: str, period: tuple[str, int, int, int], rank: float
) -> tuple[int, int]:
    """A pay range; `rank` 0..1 places it from intern to executive level."""
    suffix, _mult, low, high = period
    factor = CURRENCY_FACTOR[currency]
    position = min(1.0, max(0.0, rank + rng.uniform(-0.15, 0.15)))
    lo = (low + (high * 0.7 - low) * position) * factor
    hi = lo * rng.uniform(1.1, 1.5)
    step = 1000 if suffix == "/yr" else (100 if suffix == "/mo" else 1)
    return int(round(lo / step) * step), int(round(hi / step) * step)


def _fmt(currency: str, amount: float) -> str:
    return f"{currency}{amount:,.2f}"


Salary = tuple[str | None, str | None, str | None, float | None]


def _usd_year(amount: float, currency: str, period: tuple[str, int, int, int]) -> float:
    return round(amount * period[1] / CURRENCY_FACTOR[currency], -2)


def _salary(rng: random.Random, place: Place, employment_code: str, rank: float) -> Salary:
    """Returns (block text, card text, description sentence, advertised pay in US-dollar
    equivalents per year: the range's middle, or its top when only that is written)."""
    roll = rng.random()
    if roll < 0.3:
        return None, None, None, None  # no pay at all, the most common case on LinkedIn
    if employment_code in {"C", "T", "P"}:
        period = PERIODS[2] if rng.random() < 0.7 else PERIODS[1]
    elif employment_code == "I":
        period = PERIODS[1] if rng.random() < 0.5 else PERIODS[2]
    else:
        period = PERIODS[0] if rng.random() < 0.8 else PERIODS[1]
    lo, hi = _money(rng, place.currency, period, rank)
    cur = place.currency
    middle = _usd_year((lo + hi) / 2, cur, period)
    if roll < 0.7:
        block = f"{_fmt(cur, lo)}{period[0]} - {_fmt(cur, hi)}{period[0]}"
        card = f"{_fmt(cur, lo)} - {_fmt(cur, hi)}"
        return block, card, None, middle
    # Pay only in the text, in the free styles employers write.
    per = {"/yr": "year", "/mo": "month", "/hr": "hour"}[period[0]]
    up_to = f"Salary up to {cur}{hi:,}{period[0]} depending on experience."
    styles = [
        f"The base salary range for this role is {cur}{lo:,} - {cur}{hi:,} per {per}.",
        f"Pay: {cur}{lo:,} to {cur}{hi:,} per {per}.",
        up_to,
    ]
    if per == "year":  # US-style total-compensation line, as in real postings
        styles.append(f"Compensation: {cur}{lo:,}-{cur}{hi:,} + bonus + equity + benefits.")
    sentence = rng.choice(styles)
    return None, None, sentence, _usd_year(hi, cur, period) if sentence == up_to else middle


def _time_ago(rng: random.Random) -> tuple[str, float]:
    unit, days = rng.choices(TIME_UNITS, weights=(1, 6, 10, 8, 2))[0]
    n = rng.randint(1, TIME_UNIT_MAX[unit])
    text = f"{n} {unit}{'s' if n > 1 else ''} ago"
    if rng.random() < 0.1:
        text = "Reposted " + text
    return text, n * days


def _applicants(rng: random.Random) -> tuple[int, str]:
    roll = rng.random()
    if roll < 0.2:
        return 25, "Be among the first 25 applicants"
    if roll < 0.35:
        return 200, "Over 200 applicants"
    n = rng.randint(26, 199)
    return n, f"{n} applicants"


def field_index_for(job_id: int) -> int:
    return job_id % len(FIELDS)


def workplace_index_for(job_id: int) -> int:
    return (job_id // len(FIELDS)) % len(WORKPLACES)


def generate(job_id: int | str) -> GenPosting:
    jid = int(job_id)
    rng = random.Random(jid)
    fld = FIELDS[field_index_for(jid)]
    workplace = WORKPLACES[workplace_index_for(jid)]
    prefix, seniority, experience = rng.choice(LEVELS)
    base_title = rng.choice(fld.titles)
    title = f"{prefix} {base_title}".strip() if prefix else base_title
    if prefix == "Intern":
        title = f"{base_title} Intern"
    employment_type, jt_code = (
        ("Internship", "I")
        if prefix == "Intern"
        else rng.choices(EMPLOYMENT_TYPES[:4], weights=(12, 2, 3, 1))[0]
    )
    # LinkedIn shows the workplace in the title or the location only when the poster wrote it.
    show_workplace = rng.random()
    place = rng.choice(PLACES)
    location = place.location
    if workplace != "On-site" and show_workplace < 0.35:
        title = f"{title} ({workplace})"
    elif workplace != "On-site" and show_workplace < 0.7:
        location = f"{location} ({workplace})"
    elif workplace == "On-site" and show_workplace < 0.2:
        location = f"{location} (On-site)"
    company = rng.choice(COMPANIES)
    posted_text, age = _time_ago(rng)
    applicants, applicants_text = _applicants(rng)
    rank = (experience or rng.randint(2, 4)) / 6 - 1 / 6  # intern 0 .. executive 5/6
    block, card, in_desc, pay_usd_year = _salary(rng, place, jt_code, rank)
    years = {1: 0, 2: 1, 3: 2, 4: 5, 5: 8, 6: 10}.get(experience, rng.randint(1, 5))
    skills = rng.sample(fld.skills, k=min(4, len(fld.skills)))
    sections = (
        (
            "About the role",
            (
                f"{company} is looking for a {title} to join our {fld.name} team in "
                f"{place.location.split(',')[0]}.",
                "You will work closely with a small, senior team and own your work end to end.",
            ),
            (),
        ),
        (
            "What you will do",
            (),
            tuple(
                rng.sample(
                    (
                        "Design, build and ship features used by thousands of customers",
                        "Collaborate with product, design and operations",
                        "Mentor colleagues and review their work",
                        "Measure outcomes and iterate quickly",
                        "Write clear documentation",
                        "Take part in a fair on-call rotation",
                    ),
                    k=4,
                )
            ),
        ),
        (
            "What we are looking for",
            (),
            tuple(f"Experience with {s}" for s in skills)
            + (
                (f"{years}+ years of relevant experience",)
                if years
                else ("Currently enrolled in a relevant degree",)
            ),
        ),
        (
            "What we offer",
            ((in_desc,) if in_desc else ()) + ("We review every application within two weeks.",),
            ("Flexible hours", f"{rng.randint(20, 30)} days of paid holiday", "Learning budget"),
        ),
    )
    return GenPosting(
        job_id=str(jid),
        title=title,
        company=company,
        company_slug=re.sub(r"[^a-z0-9]+", "-", company.lower()).strip("-"),
        location=location,
        subdomain=place.subdomain,
        workplace_type=workplace,
        field=fld.name,
        seniority=seniority,
        experience=experience,
        employment_type=employment_type,
        job_type_code=jt_code,
        job_function=fld.job_function,
        industries=rng.choice(fld.industries),
        applicants=applicants,
        applicants_text=applicants_text,
        posted_text=posted_text,
        posted_age_days=age,
        salary_block=block,
        salary_card=card,
        salary_in_description=in_desc,
        pay_usd_year=pay_usd_year,
        sections=sections,
    )


def _stable_hash(text: str) -> int:
    # Python's hash() is salted per process; search must be stable across restarts.
    h = 1469598103934665603
    for ch in text.encode():
        h = ((h ^ ch) * 1099511628211) % (1 << 64)
    return h


def field_for_keywords(keywords: str) -> int:
    words = keywords.lower()
    for i, fld in enumerate(FIELDS):
        if fld.name in words or any(t.lower() in words for t in fld.titles):
            return i
    for i, fld in enumerate(FIELDS):
        if any(w and w in " ".join(fld.titles).lower() for w in words.split()):
            return i
    return _stable_hash(words) % len(FIELDS)


def search_total(keywords: str, location: str) -> int:
    """How many results a query has (LinkedIn caps paging near 1000)."""
    return 120 + _stable_hash(f"total|{keywords}|{location}") % 881


def search_ids(
    keywords: str, location: str, workplaces: list[int], start: int, count: int = 10
) -> list[int]:
    """Job ids for results [start, start+count) of a query; `workplaces` are f_WT values."""
    total = search_total(keywords, location)
    fidx = field_for_keywords(keywords)
    allowed = [w - 1 for w in workplaces if 1 <= w <= 3] or [0, 1, 2]
    seed = _stable_hash(f"{keywords}|{location}") % 50_000_000
    return [_result_id(seed, n, allowed, fidx) for n in range(start, min(start + count, total))]


def fresh_ids(keywords: str, location: str, workplaces: list[int], count: int) -> list[int]:
    """Postings that appeared after the query's regular results, newest first: slots past
    LinkedIn's paging cap, so they never repeat a regular result."""
    fidx = field_for_keywords(keywords)
    allowed = [w - 1 for w in workplaces if 1 <= w <= 3] or [0, 1, 2]
    seed = _stable_hash(f"{keywords}|{location}") % 50_000_000
    return [_result_id(seed, 1000 + k, allowed, fidx) for k in reversed(range(count))]


def _result_id(seed: int, n: int, allowed: list[int], fidx: int) -> int:
    widx = allowed[n % len(allowed)]
    slot = seed + n * 7919  # spread results over the id space
    block = (ID_BASE // (len(FIELDS) * len(WORKPLACES)) + slot) * len(WORKPLACES) + widx
    return block * len(FIELDS) + fidx
