"use strict";
(() => {
  const { api, el, ago, jobStatus, postingCard, showError, RATING_LABELS } = LIR;
  const notes = document.getElementById("notes");
  const tbody = document.querySelector("#saved-table tbody");
  const matchesBox = document.getElementById("matches");
  const savedStatus = document.getElementById("saved-status");
  const changed = () => window.dispatchEvent(new Event("lir:alerts-changed"));

  // A new match shows its predicted rating; a tracked posting that closed links to the tracker
  // (its "Closed" pill is the news: no "New:" beside it).
  function note(n) {
    const closed = n.kind === "closed";
    const lead = closed ? el("span", { class: "pill closed" }, "Closed")
      : n.expected_score !== null ? LIR.badge(Math.round(n.expected_score * 10) / 10, "Predicted rating") : el("span");
    const title = closed ? el("a", { href: "/tracker" }, n.title) : n.title;
    return el("li", { class: `${n.read_at ? "read" : "unread"} ${n.kind}`, dataset: { id: n.id } }, lead,
      el("span", { class: "title" }, n.read_at || closed ? "" : el("strong", {}, "New: "), title),
      el("span", { class: "hint" }, ago(n.created_at)));
  }

  async function loadNotes() {
    try {
      const { data } = await api("GET", "/notifications?limit=50");
      notes.replaceChildren(...(data.items.length ? data.items.map(note) : [el("li", { class: "hint empty" }, "No alerts yet. Save a search below.")]));
      notes.setAttribute("aria-busy", "false");
    } catch (err) { showError(document.getElementById("notes-error"), err); }
  }

  // A rating given to another post of the same job, offered here (never copied unasked).
  function offer(m) {
    const { rating } = m.rating_offer;
    return el("button", { type: "button", class: "link offer", onclick: async (e) => {
      try { await api("POST", "/ratings", { url: m.posting.url, rating }); e.target.replaceWith(el("span", { class: "hint" }, `Rated ${rating}`)); }
      catch (err) { e.target.replaceWith(el("span", { class: "error" }, err.message)); }
    } }, `You rated another post of this job ${rating} (${RATING_LABELS[rating]}): rate this one the same`);
  }

  async function showMatches(s) {
    // Viewing marks them seen: the table's "Unseen" drops to 0, the cards keep their "New".
    const { data } = await api("GET", `/saved-searches/${s.id}/matches?limit=50`);
    const fresh = data.filter((m) => m.is_new).length;
    const heading = `Matches of “${s.name}”${fresh ? ` — ${fresh} new since you last looked` : ""}`;
    matchesBox.replaceChildren(el("h3", { class: "matches-h" }, heading), ...data.map((m) => {
      const card = postingCard(m.posting, { score: Math.round(m.prediction.expected_score * 10) / 10,
        scoreTitle: `Predicted ${m.prediction.predicted} (${RATING_LABELS[m.prediction.predicted]})` });
      card.querySelector("header h3").prepend(m.is_new ? el("span", { class: "pill new" }, "New") : "");
      card.querySelector("footer").append(el("span", { class: "hint" }, `First seen ${ago(m.first_seen_at)}`),
        m.also_posted ? LIR.reposts(m.posting, m.also_posted) : "", m.rating_offer ? offer(m) : "");
      return card;
    }));
    loadSaved();
  }

  function row(s) {
    const status = el("div", { "aria-live": "polite" }, s.last_job ? jobStatus(s.last_job) : el("span", { class: "hint" }, "not yet"));
    return el("tr", { dataset: { id: s.id } },
      el("td", {}, s.name), el("td", {}, `${s.every_hours} h`),
      el("td", {}, s.alert_min_score === null ? "off" : `score ≥ ${s.alert_min_score}`), el("td", {}, status),
      el("td", {}, String(s.matches)), el("td", { class: "unseen" }, s.new_matches ? el("strong", {}, String(s.new_matches)) : "0"),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "link", onclick: () => showMatches(s) }, "Matches"),
        el("button", { type: "button", class: "link", onclick: async () => {
          const { data } = await api("POST", `/saved-searches/${s.id}/run`);
          await LIR.pollJob(data.job.id, (j) => status.replaceChildren(jobStatus(j)));
          savedStatus.textContent = `Ran “${s.name}”.`;
          loadSaved(); await loadNotes(); changed();
        } }, "Run now"),
        el("button", { type: "button", class: "link danger", onclick: async () => {
          await api("DELETE", `/saved-searches/${s.id}`); savedStatus.textContent = `Deleted “${s.name}”.`; loadSaved();
        } }, "Delete")));
  }

  async function loadSaved() {
    const { data } = await api("GET", "/saved-searches");
    tbody.replaceChildren(...(data.length ? data.map(row) : [el("tr", {}, el("td", { colspan: "7", class: "hint" }, "No saved searches yet."))]));
  }

  document.getElementById("save-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const fd = new FormData(e.target), error = document.getElementById("save-error");
    error.hidden = true;
    try {
      const { data } = await api("POST", "/saved-searches", {
        keywords: fd.get("keywords").trim(), location: fd.get("location").trim(),
        every_hours: Number(fd.get("every_hours")), limit: Number(fd.get("limit")) || 25, alert_min_score: Number(fd.get("alert_min_score")),
        email_digest: fd.get("email_digest") === "on" });
      savedStatus.textContent = `Saved “${data.name}”; its first run starts shortly.`;
      e.target.reset();
      loadSaved();
    } catch (err) { showError(error, err); }
  });
  document.getElementById("read-all").addEventListener("click", async () => {
    // The badge refreshes after the list, so it never says "none unread" beside unread alerts.
    await api("POST", "/notifications/read", {}); await loadNotes(); changed();
  });
  document.getElementById("feed-button").addEventListener("click", async () => {
    const { data } = await api("POST", "/feed-token");
    const code = document.getElementById("feed-url");
    code.hidden = false; code.textContent = data.feed_url;
  });
  loadNotes();
  loadSaved();
})();
