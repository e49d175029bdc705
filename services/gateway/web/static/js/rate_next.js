"use strict";
/* Rate next: one suggested posting at a time; 0-3 rates it and shows the next one. The
   suggestions are fetched again after each rating, so they follow the newest model. */
(() => {
  const { api, el, postingCard, showError, RATING_LABELS } = LIR;
  const card = document.getElementById("next-card");
  const progress = document.getElementById("next-progress");
  const buttons = document.getElementById("next-buttons");
  const error = document.getElementById("next-error");
  const url = document.getElementById("url");
  let current = null;
  let busy = false;

  function describe(body) {
    const ready = body.model_version !== null
      ? `model v${body.model_version} in use`
      : body.rated >= body.model_ready_at ? "model training soon" : `model ready at ${body.model_ready_at}`;
    return `${body.rated} rated — ${ready}`;
  }

  function lines(text, n) {
    return (text || "").split("\n").map((l) => l.trim()).filter(Boolean).slice(0, n).join(" ");
  }

  async function load() {
    const { data } = await api("GET", "/rate-next?limit=1");
    progress.textContent = describe(data);
    document.getElementById("prefs-offer").hidden ||= data.rated > 0;
    current = data.items[0] ? data.items[0].posting : null;
    buttons.hidden = current === null;
    if (current === null) {
      card.replaceChildren(el("p", { class: "hint" }, "Nothing stored to suggest yet: run a search first."));
      return data.rated;
    }
    const intro = lines(current.description_snippet, 3);
    card.replaceChildren(postingCard(current, {
      extra: intro ? el("p", { class: "intro" }, intro.length > 300 ? `${intro.slice(0, 300)}…` : intro) : null,
    }));
    return data.rated;
  }

  async function rate(rating) {
    if (busy || current === null) return;
    busy = true;
    error.hidden = true;
    try {
      await api("POST", "/ratings", { url: current.url, rating });
      // Listed with the pasted ones, so "Recent submissions" tells the whole visit.
      document.getElementById("recent-empty").hidden = true;
      document.getElementById("recent").prepend(el("li", { dataset: { postingId: current.id } },
        el("span", { class: `pill r${rating}` }, `${rating} · ${RATING_LABELS[rating]}`),
        el("span", { class: "title" }, [current.title, current.company].filter(Boolean).join(" — "))));
      await load();
    } catch (err) {
      showError(error, err);
    } finally {
      busy = false;
    }
  }

  buttons.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-rating]");
    if (b) rate(Number(b.dataset.rating));
  });
  // The URL form owns the keys once a URL is in it; a URL never starts with a digit, so
  // with the field empty (where the page puts focus) a digit rates this card.
  document.addEventListener("keydown", (e) => {
    if (url.value.trim() || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-3]$/.test(e.key)) { e.preventDefault(); rate(Number(e.key)); }
  });
  /* A newcomer (nothing rated, nothing stated) is offered the Preferences page first. */
  async function offerPreferences(rated) {
    if (rated > 0) return;
    const { data: prefs } = await api("GET", "/preferences");
    const stated = Object.values(prefs).some((v) => (Array.isArray(v) ? v.length : v !== null));
    document.getElementById("prefs-offer").hidden = stated;
  }
  load().then(offerPreferences).catch((err) => showError(error, err));
  // A posting rated by its URL (rate.js) moves the progress and the suggestions too.
  window.addEventListener("lir:rated", () => { if (!busy) load().catch((err) => showError(error, err)); });
})();
