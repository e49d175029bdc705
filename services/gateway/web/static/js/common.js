/* Shared helpers for the pages: API calls with the session cookie + CSRF header, job
   polling, safe DOM building (no innerHTML with server data), formatting, posting cards. */
"use strict";

const LIR = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

  class ApiError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body; }
  }

  /* fetch /api/v1 + path; JSON in and out; throws ApiError with the server's message. */
  async function api(method, path, body) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    const init = { method, credentials: "same-origin", headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const res = await fetch("/api/v1" + path, init);
    if (res.status === 401) { location.href = "/signin?next=" + encodeURIComponent(location.pathname); }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    if (!res.ok) {
      let msg = data && data.detail !== undefined ? data.detail : text || res.statusText;
      if (typeof msg !== "string") msg = JSON.stringify(msg);
      if (res.status === 404 && path.split("?")[0].split("/").length <= 2 && !data?.detail)
        msg = "this feature's API is not available yet";
      throw new ApiError(res.status, `${msg} (HTTP ${res.status})`, data);
    }
    return { status: res.status, data };
  }

  /* Poll GET /jobs/{id} until it finishes; onUpdate sees every state. Backs off gently. */
  async function pollJob(id, onUpdate) {
    let delay = 400;
    for (;;) {
      const { data: job } = await api("GET", `/jobs/${id}`);
      if (onUpdate) onUpdate(job);
      if (TERMINAL.has(job.status)) return job;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 1.3, 2000);
    }
  }

  /* A scrape job hands over to an extract job (result.extract_job_id) that reads pay,
     skills, ... from the page; follow the chain so "done" means the posting is usable. */
  async function followJob(id, onUpdate) {
    let job = await pollJob(id, onUpdate);
    while (job.status === "succeeded" && job.result && job.result.extract_job_id) {
      job = await pollJob(job.result.extract_job_id, onUpdate);
    }
    return job;
  }

  /* el("div", {class: "x", onclick: fn}, child, "text", ...) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "style") node.style.cssText = v;  // CSSOM: allowed by our CSP, a style attribute is not
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "style") node.style.cssText = v;
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  const RATING_LABELS = ["Not for me", "Meh", "Good", "Dream job"];
  const RATING_COLOURS = ["#c62828", "#b45309", "#4d7c0f", "#2e7d32"];  // = --r0..--r3 in app.css

  /* A continuous score 0..3 → red→amber→green (HSL hue 0→130), dark enough for white text. */
  function scoreColour(score) {
    const t = Math.max(0, Math.min(1, (Number(score) || 0) / 3));
    return `hsl(${Math.round(t * 130)}, 70%, 32%)`;
  }

  function money(v, currency) {
    if (v === null || v === undefined) return null;
    const n = Number(v);
    const short = n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n));
    return `${currency && currency !== "USD" ? currency + " " : "$"}${short}`;
  }

  function pay(p) {
    const lo = money(p.annual_min, p.salary_currency), hi = money(p.annual_max, p.salary_currency);
    if (lo && hi && lo !== hi) return `${lo}–${hi.replace(/^[^\d]*/, "")} /yr`;
    if (lo || hi) return `${lo || hi} /yr`;
    return p.salary_text || null;
  }

  /* The pay and, when the posting lists several ranges, which one it is
     ("range across 3 locations"), so a figure is never shown without its rule. */
  function payFact(p) {
    const text = pay(p);
    if (!text) return null;
    return p.salary_basis && (p.annual_min || p.annual_max)
      ? [text, el("small", { class: "basis" }, p.salary_basis)]
      : text;
  }

  function ago(iso) {
    if (!iso) return null;
    const s = (Date.now() - new Date(iso).getTime()) / 1000;
    if (!isFinite(s)) return null;
    const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
    for (const [name, secs] of units) {
      const n = Math.floor(s / secs);
      if (n >= 1) return `${n} ${name}${n > 1 ? "s" : ""} ago`;
    }
    return "just now";
  }

  const pretty = (s) => (s ? String(s).replace(/[_-]/g, " ").replace(/^\w/, (c) => c.toUpperCase()) : null);

  /* Job status line: label + <progress>; lives in an aria-live region supplied by the page. */
  function jobStatus(job) {
    const pct = Math.round((job.progress || 0) * 100);
    const label = job.status === "failed" ? `Failed: ${job.error || job.message || "unknown error"}`
      : job.status === "succeeded" ? "Done"
      : job.status === "cancelled" ? "Cancelled"
      : `${pretty(job.status)}${job.message ? ": " + job.message : ""}`;
    return el("div", { class: `job job-${job.status}`, dataset: { status: job.status } },
      el("progress", { max: "100", value: String(job.status === "succeeded" ? 100 : pct), "aria-label": "Progress" }),
      el("span", { class: "job-label" }, label));
  }

  function badge(score, title, text) {
    return el("span", { class: "badge", style: `background:${scoreColour(score)}`, title },
      text || Number(score).toFixed(Number.isInteger(score) ? 0 : 1));
  }

  /* A posting card; `extra` nodes (actions) go at the bottom. */
  function postingCard(p, opts = {}) {
    const facts = [
      pay(p) && ["Pay", payFact(p)],
      p.seniority && !/not applicable/i.test(p.seniority) && ["Seniority", pretty(p.seniority)],
      p.workplace_type && ["Workplace", pretty(p.workplace_type)],
      p.employment_type && ["Type", pretty(p.employment_type)],
      p.posted_at && ["Posted", ago(p.posted_at)],
    ].filter(Boolean);
    const skills = (p.skills || []).slice(0, 8);
    return el("article", { class: "posting", dataset: { company: (p.company || "").toLowerCase(), postingId: p.id } },
      el("header", {},
        opts.score !== undefined ? badge(opts.score, opts.scoreTitle || "Predicted rating", opts.scoreText) : null,
        el("div", {},
          el("h3", {}, p.title || (p.status === "pending" ? "Fetching…" : "Untitled posting")),
          el("p", { class: "company" }, [p.company, p.location].filter(Boolean).join(" · ")))),
      facts.length ? el("dl", { class: "facts" }, facts.map(([k, v]) => el("div", { class: k === "Pay" ? "fact-pay" : null }, el("dt", {}, k), el("dd", {}, v)))) : null,
      skills.length ? el("ul", { class: "skills", "aria-label": "Skills" }, skills.map((s) => el("li", {}, s))) : null,
      opts.reasons?.length ? el("ul", { class: "reasons", "aria-label": "Why this score" }, opts.reasons.map((r) =>
        el("li", { class: r.effect >= 0 ? "up" : "down" }, el("span", { class: "effect" }, r.shown), " ", r.label))) : null,
      p.status && !["fetched", "extracted", "ok", "ready"].includes(p.status) && p.status_reason
        ? el("p", { class: "note" }, `${pretty(p.status)}: ${p.status_reason}`) : null,
      el("footer", {},
        p.url ? el("a", { href: p.url, target: "_blank", rel: "noopener noreferrer" }, "Open on LinkedIn ↗") : null,
        opts.extra || null));
  }

  /* "Also posted 2 more times", opening the other posts of the same job with your ratings. */
  function reposts(p, n) {
    const list = el("ul", { class: "repost-list" });
    const box = el("details", { class: "reposts" }, el("summary", {}, `Also posted ${n} more time${n === 1 ? "" : "s"}`), list);
    box.addEventListener("toggle", async () => {
      if (!box.open || list.childElementCount) return;
      try {
        const { data } = await api("GET", `/postings/${p.id}/reposts`);
        list.replaceChildren(...data.members.filter((m) => m.posting_id !== p.id).map((m) => el("li", {},
          el("a", { href: m.url, target: "_blank", rel: "noopener noreferrer" }, `LinkedIn job ${m.job_id}`),
          m.is_closed ? " · closed" : "", m.your_rating !== null ? ` · you rated it ${m.your_rating}` : " · not rated")));
      } catch (err) { list.replaceChildren(el("li", { class: "error" }, err.message)); }
    });
    return box;
  }

  /* "Match 80% · missing Go, Rust": how well the profile qualifies for a posting. */
  function matchLine(m) {
    if (!m || m.match === undefined || m.match === null) return null;
    const missing = (m.missing_skills || []).slice(0, 5);
    const gaps = [missing.length ? `missing ${missing.join(", ")}${m.missing_skills.length > 5 ? "…" : ""}` : null,
      m.experience_gap_years > 0 ? `${m.experience_gap_years} years short` : null].filter(Boolean);
    return el("p", { class: "match-line", title: "How well your profile qualifies for this posting" },
      "Match ", el("strong", {}, `${Math.round(m.match * 100)}%`), gaps.length ? ` · ${gaps.join(" · ")}` : "");
  }

  function showError(node, err) {
    node.hidden = false;
    node.textContent = err instanceof Error ? err.message : String(err);
  }

  return { api, pollJob, followJob, el, svg, scoreColour, money, pay, payFact, ago, pretty, jobStatus, badge, postingCard,
           matchLine, reposts, showError, RATING_LABELS, RATING_COLOURS, ApiError };
})();
