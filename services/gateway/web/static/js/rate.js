"use strict";
(() => {
  const { api, followJob, el, jobStatus, postingCard, showError, RATING_LABELS } = LIR;
  const input = document.getElementById("url");
  const buttons = document.getElementById("rating-buttons");
  const error = document.getElementById("rate-error");
  const recent = document.getElementById("recent");
  const latest = document.getElementById("latest");
  let submitting = false;

  async function submit(rating) {
    const url = input.value.trim();
    if (!url) { showError(error, "Paste a LinkedIn posting URL first."); input.focus(); return; }
    if (submitting) return;
    submitting = true;
    error.hidden = true;
    try {
      const { data } = await api("POST", "/ratings", { url, rating });
      input.value = "";
      track(data, url);
    } catch (err) {
      showError(error, err);
    } finally {
      submitting = false;
      input.focus();
    }
  }

  /* One row per submission; its status updates live from the job, then the card appears.
     A posting already stored fresh and read comes with no job: it is done at once. */
  async function track({ rating, posting, job }, url) {
    document.getElementById("recent-empty").hidden = true;
    const title = el("span", { class: "title" }, posting.title || url);
    const status = el("div", { class: "status" }, jobStatus(job || { status: "succeeded" }));
    const row = el("li", { dataset: { postingId: posting.id } },
      el("span", { class: `pill r${rating.rating}` }, `${rating.rating} · ${RATING_LABELS[rating.rating]}`), title, status);
    recent.prepend(row);
    const show = (p) => {
      title.textContent = [p.title, p.company].filter(Boolean).join(" — ") || url;
      latest.replaceChildren(postingCard(p, { score: rating.rating, scoreTitle: "Your rating" }));
      document.getElementById("latest-section").hidden = false;
    };
    if (posting.status !== "pending") { show(posting); }
    // Rate next's progress ("7 rated — model ready at 12") counts this one once it is read.
    const counted = () => window.dispatchEvent(new Event("lir:rated"));
    if (!job) { counted(); return; }
    try {
      const done = await followJob(job.id, (j) => status.replaceChildren(jobStatus(j)));
      if (done.status === "succeeded" || posting.status !== "pending") {
        const { data: p } = await api("GET", `/postings/${posting.id}`);
        if (recent.firstElementChild === row || latest.childElementCount === 0) show(p);
        else title.textContent = [p.title, p.company].filter(Boolean).join(" — ") || url;
      }
      counted();
    } catch (err) {
      status.replaceChildren(el("span", { class: "error" }, err.message));
    }
  }

  buttons.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-rating]");
    if (b) submit(Number(b.dataset.rating));
  });
  // Digits type into the URL field, so shortcuts act only when focus is elsewhere.
  document.addEventListener("keydown", (e) => {
    if (e.target === input || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-3]$/.test(e.key) && input.value.trim()) { e.preventDefault(); submit(Number(e.key)); }
  });
  input.addEventListener("paste", () => setTimeout(() => { if (input.value.trim()) buttons.focus(); }, 0));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); if (input.value.trim()) buttons.focus(); }
  });
  document.getElementById("rate-form").addEventListener("submit", (e) => e.preventDefault());
  input.focus();
})();
