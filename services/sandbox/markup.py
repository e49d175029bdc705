"""LinkedIn guest markup for generated postings (same class names as the real pages)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import quote

from services.sandbox.generator import GenPosting, generate

SIGN_IN_MODAL = """
    <div class="contextual-sign-in-modal" data-impression-id="public_jobs_apply-link">
      <h2 class="contextual-sign-in-modal__context-screen-title">
        Join or sign in to find your next job
      </h2>
      <form data-id="sign-in-form" action="https://www.linkedin.com/uas/login-submit" method="post">
        <label class="input-label" for="session_key">Email or phone</label>
        <input id="session_key" name="session_key">
        <button class="btn-md btn-primary" type="submit">Sign in</button>
      </form>
      <p class="contextual-sign-in-modal__join-now">New to LinkedIn?
        <a href="https://www.linkedin.com/signup/cold-join?trk=public_jobs">Join now</a></p>
    </div>"""


def _host(p: GenPosting) -> str:
    return f"https://{p.subdomain}.linkedin.com"


def _posted_date(p: GenPosting, now: datetime) -> datetime:
    return now - timedelta(days=p.posted_age_days)


def description_html(p: GenPosting) -> str:
    parts: list[str] = []
    for heading, paragraphs, bullets in p.sections:
        parts.append(f"<strong>{escape(heading)}</strong><br><br>")
        for para in paragraphs:
            parts.append(f"{escape(para)}<br><br>")
        if bullets:
            parts.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in bullets) + "</ul><br>")
    return "".join(parts)


def top_card(p: GenPosting, closed: bool, heading_tag: str) -> str:
    closed_html = (
        """
        <figure class="closed-job">
          <icon class="closed-job__icon"></icon>
          <figcaption class="closed-job__flavor--closed">
            No longer accepting applications
          </figcaption>
        </figure>"""
        if closed
        else ""
    )
    apply_html = (
        ""
        if closed
        else f"""
    <code id="applyUrl" style="display: none"><!--{
            json.dumps(
                f"https://www.linkedin.com/jobs/view/externalApply/{p.job_id}?url="
                + quote(f"https://careers.{p.company_slug}.example/jobs/{p.job_id}", safe="")
            )
        }--></code>
    <button class="sign-up-modal__outlet top-card-layout__cta btn-md btn-primary">
      Apply
    </button>"""
    )
    return f"""
    <section class="top-card-layout container-lined overflow-hidden babybear:rounded-[0px]">
      <div class="top-card-layout__card relative p-2 papabear:p-details-container-padding">
        <div class="top-card-layout__entity-info-container flex flex-wrap papabear:flex-nowrap">
          <div class="top-card-layout__entity-info flex-grow flex-shrink-0 basis-0">
          <a href="{_host(p)}{p.view_path}?trk=public_jobs_topcard-title" class="topcard__link">
            <{heading_tag} class="top-card-layout__title font-sans text-lg font-bold topcard__title">{escape(p.title)}</{heading_tag}>
          </a>
          <h4 class="top-card-layout__second-subline font-sans text-sm leading-open">
            <div class="topcard__flavor-row">
              <span class="topcard__flavor">
                <a class="topcard__org-name-link topcard__flavor--black-link" href="{_host(p)}/company/{p.company_slug}?trk=public_jobs_topcard-org-name">
                  {escape(p.company)}
                </a>
              </span>
              <span class="topcard__flavor topcard__flavor--bullet">
                {escape(p.location)}
              </span>
            </div>
            <div class="topcard__flavor-row">
              <span class="posted-time-ago__text topcard__flavor--metadata">
                {escape(p.posted_text)}
              </span>
              <figure class="num-applicants__figure topcard__flavor--metadata topcard__flavor--bullet">
                <figcaption class="num-applicants__caption">
                  {escape(p.applicants_text)}
                </figcaption>
              </figure>
            </div>{closed_html}
          </h4>
          <div class="top-card-layout__cta-container flex flex-wrap mt-0.5">{apply_html}
            {SIGN_IN_MODAL}
          </div>
          </div>
        </div>
      </div>
    </section>"""  # noqa: E501


def details(p: GenPosting) -> str:
    pay = ""
    if p.salary_block:
        pay = f"""
    <section class="core-section-container my-3 compensation compensation--above-description">
      <h2 class="core-section-container__title section-title">{escape(p.company)} provided pay range</h2>
      <div class="core-section-container__content break-words">
        <p class="compensation__description">This range is provided by {escape(p.company)}. Your actual pay will be based on your skills and experience.</p>
        <div class="compensation__salary-range">
          <h3 class="compensation__heading">Base pay range</h3>
          <div class="salary compensation__salary">
            {escape(p.salary_block)}
          </div>
        </div>
      </div>
    </section>"""  # noqa: E501
    criteria = [
        ("Seniority level", p.seniority),
        ("Employment type", p.employment_type),
        ("Job function", p.job_function),
        ("Industries", p.industries),
    ]
    items = "".join(
        f"""
        <li class="description__job-criteria-item">
          <h3 class="description__job-criteria-subheader">
            {escape(k)}
          </h3>
          <span class="description__job-criteria-text description__job-criteria-text--criteria">
            {escape(v)}
          </span>
        </li>"""
        for k, v in criteria
    )
    return f"""
    <div class="decorated-job-posting__details">{pay}
    <section class="core-section-container my-3 description">
      <div class="core-section-container__content break-words">
      <div class="description__text description__text--rich">
        <section class="show-more-less-html" data-max-lines="5">
          <div class="show-more-less-html__markup show-more-less-html__markup--clamp-after-5 relative overflow-hidden">
            {description_html(p)}
          </div>
          <button class="show-more-less-html__button show-more-less-html__button--more" aria-label="Show more">Show more</button>
          <button class="show-more-less-html__button show-more-less-html__button--less" aria-label="Show less">Show less</button>
        </section>
      </div>
      <ul class="description__job-criteria-list">{items}
      </ul>
      </div>
    </section>
    </div>"""  # noqa: E501


def fragment(p: GenPosting, closed: bool = False) -> str:
    """The /jobs-guest/jobs/api/jobPosting/<id> response."""
    return (
        top_card(p, closed, "h2")
        + details(p)
        + f"""
    <code id="decoratedJobPostingId" style="display: none"><!--"{p.job_id}"--></code>
    <code id="referenceId" style="display: none"><!--"sandbox"--></code>
"""
    )


def _similar_jobs(p: GenPosting, now: datetime) -> str:
    """Sidebar with OTHER jobs, some with pay: a trap for parsers that grab any salary."""
    cards = []
    for k in range(1, 7):
        other = generate(int(p.job_id) + k * 9 * 3)
        pay = other.salary_card or "A$160,000.00 - A$200,000.00"
        cards.append(f"""
        <li>
          <a class="base-card relative w-full base-card--link base-aside-card" href="{_host(other)}{other.view_path}?trk=public_jobs_similar-jobs">
            <div class="base-aside-card__info">
              <h3 class="base-aside-card__title">{escape(other.title)}</h3>
              <h4 class="base-aside-card__subtitle">{escape(other.company)}</h4>
              <div class="base-aside-card__metadata">
                <span class="main-job-card__location">{escape(other.location)}</span>
                <span class="main-job-card__salary-info block my-0.5 mx-0">
                  {escape(pay).replace(" - ", chr(10) + "            -" + chr(10) + "            ")}
                </span>
                <time class="aside-job-card__listdate" datetime="{_posted_date(other, now):%Y-%m-%d}">{escape(other.posted_text)}</time>
              </div>
            </div>
          </a>
        </li>""")  # noqa: E501
    return f"""
    <section class="similar-jobs">
      <h2 class="similar-jobs__header">Similar jobs</h2>
      <ul class="similar-jobs__list">{"".join(cards)}
      </ul>
    </section>"""


def full_page(p: GenPosting, now: datetime, closed: bool = False) -> str:
    """The /jobs/view/<id> page a browser gets."""
    canonical = f"{_host(p)}{p.view_path}"
    ld = {
        "@context": "http://schema.org",
        "@type": "JobPosting",
        "datePosted": _posted_date(p, now).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "title": p.title,
        "hiringOrganization": {"@type": "Organization", "name": p.company},
        "employmentType": p.employment_type.upper().replace("-", "_"),
    }
    title = f"{p.company} hiring {p.title} in {p.location} | LinkedIn"
    return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{escape(title)}</title>
    <link rel="canonical" href="{canonical}">
    <meta property="og:url" content="{canonical}">
    <meta property="og:title" content="{escape(title)}">
    <script type="application/ld+json">{json.dumps(ld)}</script>
    <script>window.lix = {{"guest": true}};</script>
    <style>.hidden {{ display: none; }}</style>
  </head>
  <body>
    <header class="public_jobs_nav">
      <a class="nav__button-secondary" href="https://www.linkedin.com/login?trk=public_jobs_nav-header-signin">Sign in</a>
      <a class="nav__button-primary" href="https://www.linkedin.com/signup?trk=public_jobs_nav-header-join">Join now</a>
    </header>
    <main id="main-content" class="main papabear:flex">
      <section class="core-rail mx-auto papabear:w-core-rail-width">
        <div class="details mx-details-container-padding">
{top_card(p, closed, "h1")}
{details(p)}
        </div>
      </section>
      <section class="right-rail papabear:w-right-rail-width">
{_similar_jobs(p, now)}
      </section>
    </main>
    <code id="decoratedJobPostingId" style="display: none"><!--{p.job_id}--></code>
  </body>
</html>
"""  # noqa: E501


def search_card(p: GenPosting, position: int, now: datetime) -> str:
    listed = _posted_date(p, now)
    new = "--new" if p.posted_age_days < 1 else ""
    pay = (
        f"""
            <span class="job-search-card__salary-info">
              {escape(p.salary_card).replace(" - ", chr(10) + "              -" + chr(10) + "              ")}
            </span>"""  # noqa: E501
        if p.salary_card
        else ""
    )
    return f"""
      <li>
      <div class="base-card relative w-full hover:no-underline focus:no-underline base-card--link base-search-card base-search-card--link job-search-card" data-entity-urn="urn:li:jobPosting:{p.job_id}" data-impression-id="jobs-search-result-{position}" data-reference-id="sandbox">
        <a class="base-card__full-link absolute top-0 right-0 bottom-0 left-0 p-0 z-[2]" href="{_host(p)}{p.view_path}?position={position + 1}&amp;pageNum=0&amp;refId=sandbox&amp;trackingId=sandbox&amp;trk=public_jobs_jserp-result_search-card">
          <span class="sr-only">{escape(p.title)}</span>
        </a>
        <div class="base-search-card__info">
          <h3 class="base-search-card__title">
            {escape(p.title)}
          </h3>
          <h4 class="base-search-card__subtitle">
            <a class="hidden-nested-link" href="{_host(p)}/company/{p.company_slug}?trk=public_jobs_jserp-result_job-search-card-subtitle">
              {escape(p.company)}
            </a>
          </h4>
          <div class="base-search-card__metadata">
            <span class="job-search-card__location">
              {escape(p.location)}
            </span>{pay}
            <time class="job-search-card__listdate{new}" datetime="{listed:%Y-%m-%d}">
              {escape(p.posted_text)}
            </time>
          </div>
        </div>
      </div>
      </li>"""  # noqa: E501


def search_page(postings: list[GenPosting], start: int, now: datetime) -> str:
    if not postings:
        return ""  # LinkedIn answers an exhausted search with an empty body
    return "<!DOCTYPE html>\n" + "".join(
        search_card(p, start + i, now) for i, p in enumerate(postings)
    )


AUTHWALL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign Up | LinkedIn</title></head>
<body class="authwall">
  <main class="authwall-join-form">
    <h1 class="authwall-join-form__title">Join LinkedIn</h1>
    <form class="join-form" action="/signup/cold-join" method="post">
      <input name="email-address"><input name="password" type="password">
      <button type="submit">Agree &amp; Join</button>
    </form>
    <p>Already on LinkedIn? <a href="/login">Sign in</a></p>
  </main>
</body></html>
"""

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page Not Found | LinkedIn</title></head>
<body><main class="not-found">
  <h1 class="not-found__title">Page not found</h1>
  <p>Uh oh, we can't seem to find the page you're looking for.</p>
</main></body></html>
"""


def now_utc() -> datetime:
    return datetime.now(UTC)
