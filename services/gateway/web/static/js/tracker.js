"use strict";
(() => {
  const { api, el, badge, pay, pretty, showError, RATING_LABELS } = LIR;
  const STATUSES = ["saved", "applied", "interviewing", "offer", "rejected", "withdrawn"];
  const board = document.getElementById("board");
  const error = document.getElementById("board-error");
  const status = document.getElementById("board-status");
  let apps = [];

  const days = (n) => (n === 0 ? "changed today" : `${n} day${n === 1 ? "" : "s"} since last change`);

  function score(a) {
    if (a.rating !== null) return badge(a.rating, `You rated it ${a.rating} (${RATING_LABELS[a.rating]})`);
    if (a.prediction) return badge(Math.round(a.prediction.expected_score * 10) / 10,
      `Predicted ${a.prediction.predicted} (${RATING_LABELS[a.prediction.predicted]})`);
    return null;
  }

  async function move(a, to, focus = true) {
    if (to === a.status || !STATUSES.includes(to)) return;
    error.hidden = true;
    try {
      const { data } = await api("PUT", `/applications/${a.posting_id}`, { status: to });
      Object.assign(a, data);
      status.textContent = `Moved “${a.posting.title || "posting"}” to ${pretty(to)}.`;
      draw(focus ? a.posting_id : null);
    } catch (err) { showError(error, err); }
  }

  function card(a) {
    const p = a.posting, i = STATUSES.indexOf(a.status);
    const note = el("textarea", { rows: "2", "aria-label": `Note for ${p.title || "posting"}`, placeholder: "Add a note…" });
    note.value = a.note || "";
    const saved = el("span", { class: "action-msg", role: "status" });
    note.addEventListener("change", async () => {
      try {
        const { data } = await api("PUT", `/applications/${a.posting_id}`, { status: a.status, note: note.value });
        a.note = data.note; saved.textContent = "Note saved";
      } catch (err) { saved.textContent = err.message; }
    });
    const facts = [pay(p) && ["Pay", pay(p)], a.match !== null && a.match !== undefined && ["Match", `${Math.round(a.match * 100)}%`],
      a.applied_at && ["Applied", new Date(a.applied_at).toLocaleDateString()]].filter(Boolean);
    const node = el("article", { class: `app-card${a.closed ? " closed" : ""}`, tabindex: "0", draggable: "true",
      dataset: { postingId: a.posting_id, status: a.status },
      "aria-label": `${p.title || "Posting"} at ${p.company || "unknown company"}, ${pretty(a.status)}` },
      el("header", {}, score(a),
        el("div", {}, el("h3", {}, p.url ? el("a", { href: p.url, target: "_blank", rel: "noopener noreferrer" }, p.title || "Fetching…") : (p.title || "Untitled")),
          el("p", { class: "company" }, [p.company, p.location].filter(Boolean).join(" · ")))),
      a.closed ? el("p", { class: "flag" }, "Closed: no longer accepting applications") : null,
      facts.length ? el("dl", { class: "facts" }, facts.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v)))) : null,
      el("p", { class: "hint since" }, days(a.days_since_change)),
      note, saved,
      el("div", { class: "actions move" },
        el("button", { type: "button", class: "link", disabled: i === 0, "aria-label": `Move to ${pretty(STATUSES[i - 1] || "")}`,
          onclick: () => move(a, STATUSES[i - 1]) }, "◀"),
        el("button", { type: "button", class: "link", disabled: i === STATUSES.length - 1, "aria-label": `Move to ${pretty(STATUSES[i + 1] || "")}`,
          onclick: () => move(a, STATUSES[i + 1]) }, "▶"),
        el("button", { type: "button", class: "link danger", onclick: async () => {
          try { await api("DELETE", `/applications/${a.posting_id}`); apps = apps.filter((x) => x !== a); draw(); status.textContent = "Removed from the tracker."; }
          catch (err) { showError(error, err); }
        } }, "Remove")));
    node.addEventListener("keydown", (e) => {
      if (e.target !== node) return;
      if (e.key === "ArrowRight") { e.preventDefault(); move(a, STATUSES[i + 1]); }
      else if (e.key === "ArrowLeft") { e.preventDefault(); move(a, STATUSES[i - 1]); }
      else if (/^[1-6]$/.test(e.key)) { e.preventDefault(); move(a, STATUSES[Number(e.key) - 1]); }
    });
    node.addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/plain", String(a.posting_id)); });
    return node;
  }

  function draw(focusId = null) {
    board.replaceChildren(...STATUSES.map((s, n) => {
      const mine = apps.filter((a) => a.status === s);
      const col = el("section", { class: "column", dataset: { status: s }, "aria-labelledby": `col-${s}` },
        el("h2", { id: `col-${s}` }, `${n + 1}. ${pretty(s)} `, el("span", { class: "count" }, String(mine.length))),
        mine.length ? mine.map(card) : el("p", { class: "hint empty" }, "Nothing here"));
      col.addEventListener("dragover", (e) => { e.preventDefault(); col.classList.add("over"); });
      col.addEventListener("dragleave", () => col.classList.remove("over"));
      col.addEventListener("drop", (e) => {
        e.preventDefault(); col.classList.remove("over");
        const a = apps.find((x) => String(x.posting_id) === e.dataTransfer.getData("text/plain"));
        if (a) move(a, s, false);
      });
      return col;
    }));
    board.setAttribute("aria-busy", "false");
    if (focusId !== null) board.querySelector(`.app-card[data-posting-id="${focusId}"]`)?.focus();
  }

  /* The worker fetches a newly tracked posting; refresh only what it brings (title, pay,
     prediction), never a card's status, which the user may be moving meanwhile. */
  async function awaitFetch(postingId) {
    for (let n = 0; n < 60; n++) {
      await new Promise((r) => setTimeout(r, 2000));
      const fresh = (await api("GET", "/applications")).data.find((x) => x.posting_id === postingId);
      const mine = apps.find((x) => x.posting_id === postingId);
      if (!fresh || !mine) return;
      if (fresh.posting.title) {
        Object.assign(mine, { posting: fresh.posting, prediction: fresh.prediction, rating: fresh.rating, closed: fresh.closed });
        const focused = document.activeElement?.closest?.(".app-card")?.dataset.postingId;
        draw(focused ?? null);
        return;
      }
    }
  }

  async function load() {
    try { apps = (await api("GET", "/applications")).data; draw(); }
    catch (err) { showError(error, err); }
  }

  document.getElementById("track-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const fd = new FormData(e.target);
    try {
      const { data } = await api("POST", "/applications", { url: fd.get("url").trim(), status: fd.get("status") });
      apps = apps.filter((x) => x.posting_id !== data.posting_id).concat([data]);
      e.target.reset();
      status.textContent = data.posting.title ? `Tracking “${data.posting.title}”.` : "Tracking it; fetching the posting…";
      draw(data.posting_id);
      if (!data.posting.title) awaitFetch(data.posting_id);
    } catch (err) { showError(error, err); }
  });
  load();
})();
