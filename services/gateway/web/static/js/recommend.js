"use strict";
(() => {
  const { api, pollJob, el, jobStatus, postingCard, matchLine, showError, RATING_LABELS } = LIR;
  const form = document.getElementById("search-form");
  const results = document.getElementById("results");
  const heading = document.getElementById("results-h");
  const note = document.getElementById("results-note");
  const error = document.getElementById("search-error");
  const hideStatus = document.getElementById("hide-status");

  function actions(item) {
    const p = item.posting;
    const msg = el("span", { class: "action-msg", role: "status" });
    const rate = el("div", { class: "mini-rate", role: "group", "aria-label": `Rate ${p.title || "this posting"}` },
      [0, 1, 2, 3].map((n) => el("button", { type: "button", class: `rate r${n}`, title: RATING_LABELS[n],
        "aria-label": `Rate ${n}: ${RATING_LABELS[n]}`, onclick: async () => {
          try { await api("POST", "/ratings", { url: p.url, rating: n }); msg.textContent = `Rated ${n}`; }
          catch (err) { msg.textContent = err.message; }
        } }, String(n))));
    const hideCompany = p.company ? el("button", { type: "button", class: "link danger", onclick: async () => {
      try {
        await api("POST", "/blocklist", { kind: "company", pattern: p.company });
        const key = p.company.toLowerCase();
        const gone = [...results.querySelectorAll(".posting")].filter((c) => c.dataset.company === key);
        gone.forEach((c) => c.remove());
        hideStatus.textContent = `Hid ${gone.length} posting${gone.length === 1 ? "" : "s"} from ${p.company}.`;
      } catch (err) { msg.textContent = err.message; }
    } }, "Hide this company") : null;
    const hidePosting = el("button", { type: "button", class: "link", onclick: async (e) => {
      try { await api("POST", `/postings/${p.id}/hide`); e.target.closest(".posting").remove(); hideStatus.textContent = "Posting hidden."; }
      catch (err) { msg.textContent = err.message; }
    } }, "Hide posting");
    // On the tracker it is dealt with: it leaves the stored list (a search's results keep it).
    const track = el("button", { type: "button", class: "link", onclick: async (e) => {
      try {
        await api("PUT", `/applications/${p.id}`, { status: "saved" });
        if (listing === "stored") {
          e.target.closest(".posting").remove();
          hideStatus.replaceChildren(`Saved “${p.title || "the posting"}” to your `, el("a", { href: "/tracker" }, "tracker"), ".");
        } else { e.target.replaceWith(el("span", { class: "hint" }, "On your tracker")); }
      } catch (err) { msg.textContent = err.message; }
    } }, "Save to tracker");
    // The same job posted again: one card, and a rating of another post offered, not copied.
    const reposted = item.also_posted ? LIR.reposts(p, item.also_posted) : null;
    const offer = item.rating_offer ? el("button", { type: "button", class: "link offer", onclick: async (e) => {
      try {
        await api("POST", "/ratings", { url: p.url, rating: item.rating_offer.rating });
        e.target.remove(); msg.textContent = `Rated ${item.rating_offer.rating}`;
      } catch (err) { msg.textContent = err.message; }
    } }, `You rated another post of this job ${item.rating_offer.rating} (${RATING_LABELS[item.rating_offer.rating]}): rate this one the same`) : null;
    return el("div", { class: "actions" }, rate, track, hideCompany, hidePosting, reposted, offer, msg);
  }

  let listing = "stored";
  function show(items, title, detail) {
    heading.textContent = title;
    note.textContent = detail;
    results.replaceChildren(...(items.length ? items.map((it) => postingCard(it.posting, {
      score: it.expected_score, scoreText: it.score_text,
      scoreTitle: `Expected score ${it.score_text}; most likely rating ${it.predicted} (${RATING_LABELS[it.predicted]})`,
      reasons: it.reasons, extra: [matchLine(it), actions(it)] })) : [el("p", { class: "hint" }, "Nothing to show yet — run a search above.")]));
    results.setAttribute("aria-busy", "false");
  }

  const storedFilters = document.getElementById("stored-filters");
  let asked = 0;  // filters changed quickly: only the last answer is shown
  async function loadStored() {
    const q = new URLSearchParams({ limit: "50" });
    for (const [k, v] of new FormData(storedFilters)) if (v) q.set(k, v);
    const mine = ++asked;
    results.setAttribute("aria-busy", "true");
    try {
      const { data } = await api("GET", `/recommendations?${q}`);
      if (mine !== asked) return;
      listing = "stored";
      show(data.items, "Your stored postings, ranked",
        data.heuristic ? "Ranked by a heuristic until you train a model." : `Ranked by model v${data.model_version}.`);
    } catch (err) { if (mine === asked) { showError(error, err); results.setAttribute("aria-busy", "false"); } }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const fd = new FormData(form);
    const body = {
      keywords: fd.get("keywords").trim(), location: fd.get("location").trim(),
      limit: Number(fd.get("limit")) || 25,
      filters: {
        date_posted: fd.get("date_posted") || null,
        workplace: fd.getAll("workplace"),
        experience: fd.getAll("experience").map(Number),
        job_type: fd.getAll("job_type"),
        salary_band: fd.get("salary_band") ? Number(fd.get("salary_band")) : null,
      },
    };
    const status = document.getElementById("search-status");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { data } = await api("POST", "/searches", body);
      const job = await pollJob(data.job.id, (j) => status.replaceChildren(jobStatus(j)));
      if (job.status !== "succeeded") throw new Error(job.error || `search ${job.status}`);
      const r = job.result;
      asked++; listing = "search";
      show(r.items, `Results for “${body.keywords}”`, `${r.items.length} ranked of ${r.total} found, ${r.new_postings} new.`);
      results.scrollIntoView({ block: "start" });
    } catch (err) { showError(error, err); }
    finally { button.disabled = false; }
  });

  storedFilters.addEventListener("change", loadStored);
  storedFilters.addEventListener("submit", (e) => { e.preventDefault(); loadStored(); });
  loadStored();
})();
