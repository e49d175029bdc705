"use strict";
(() => {
  const { api, el, showError } = LIR;
  const error = document.getElementById("path-error");
  const ZONES = {
    within_reach: { label: "Within reach", colour: "#2e7d32" },
    stretch: { label: "Stretch", colour: "#1a56db" },
    fallback: { label: "Fallback", colour: "#b45309" },
    elsewhere: { label: "Elsewhere", colour: "#8c959f" },
  };
  const assumed = new Set();
  let toggleSkills = [];  // the baseline's top gaps: the what-if keeps offering them
  const pct = (v) => `${Math.round(v * 100)}%`;

  function emptyStates(map) {
    const notes = [];
    if (!map.profile) notes.push(el("p", {}, "Your profile has no skills yet, so every posting looks out of reach. ",
      el("a", { href: "/profile" }, "Add your skills or a resume"), " to see your real path."));
    if (!map.ratings) notes.push(el("p", {}, "You have not rated any postings, so we do not know which jobs you want yet. ",
      el("a", { href: "/rate" }, "Rate a few postings"), " first."));
    if (map.heuristic) notes.push(el("p", {}, "No trained model yet: how much you want the postings you have not rated is a rough pay-and-seniority guess. ",
      el("a", { href: "/model" }, "Train one"), " once you have a dozen ratings."));
    document.getElementById("empty").replaceChildren(...(notes.length ? [el("div", { class: "card note-card" }, notes)] : []));
  }

  function renderMap(map) {
    const t = map.thresholds;
    document.getElementById("thresholds").textContent =
      `Wanted: desirability ≥ ${t.want.toFixed(1)} of 3. Matching: match ≥ ${pct(t.match)}. ` +
      "(Settings LIR_CAREER_WANT_THRESHOLD and LIR_CAREER_MATCH_THRESHOLD.)";
    document.getElementById("legend").replaceChildren(...Object.entries(ZONES).map(([k, z]) =>
      el("li", { style: `--dot:${z.colour}` }, `${z.label}: ${map.counts[k]}`)));
    document.getElementById("map-counts").textContent = `${map.postings.length} postings` +
      (map.assumed.length ? ` · as if you had ${map.assumed.join(", ")}` : "");
    const points = map.postings.map((p) => ({
      x: p.match, y: p.desirability, colour: ZONES[p.zone].colour, href: p.url,
      title: `${p.title || "Untitled"} · ${p.company || ""} — ${ZONES[p.zone].label}; ` +
        `${p.rated ? "rated" : "predicted"} ${p.desirability.toFixed(1)}, match ${pct(p.match)}` +
        (p.missing_skills.length ? `; missing ${p.missing_skills.slice(0, 4).join(", ")}` : ""),
    }));
    document.getElementById("map").replaceChildren(points.length
      ? Charts.thresholdScatter(points, { tx: t.match, ty: t.want, xLabel: "Match (how well you qualify)",
          yLabel: "Desirability (0–3)", label: `Career map: ${points.length} postings by desirability and match` })
      : el("p", { class: "hint" }, "No postings yet: rate some, or run a search on the Recommend page."));
    document.getElementById("map-card").hidden = false;
  }

  function renderGaps(g) {
    const note = document.getElementById("gaps-note");
    note.textContent = g.target_postings
      ? `${g.target_postings} postings you want are a stretch today; ${g.within_reach} are within reach. ` +
        "Gain = the sum, over those stretch postings, of how much you want each × the match it would add."
      : `None of the postings you want is a stretch${g.within_reach ? `: ${g.within_reach} are already within reach` : ""}.`;
    document.getElementById("gaps-chart").replaceChildren(g.gaps.length
      ? Charts.rankedBars(g.gaps.map((x) => ({ label: x.skill, value: x.desirability_gain,
          note: `${x.postings_unlocked} into reach` })), "Skills ranked by desirability-weighted match gain")
      : el("p", { class: "hint" }, "No missing skills among the postings you want."));
    document.getElementById("gaps-table").hidden = !g.gaps.length;
    document.querySelector("#gaps-table tbody").replaceChildren(...g.gaps.map((x) => el("tr", {},
      el("th", { scope: "row" }, x.skill), el("td", {}, `${x.postings_asking} of ${g.target_postings}`),
      el("td", {}, String(x.postings_unlocked)), el("td", {}, x.desirability_gain.toFixed(2)))));
    const narrative = document.getElementById("narrative");
    narrative.replaceChildren(...(g.narrative ? [el("p", { class: "narrative" }, g.narrative),
      el("p", { class: "hint" }, "Written by the LLM from the figures below, and checked against them.")] : []));
    document.getElementById("plan").replaceChildren(...(g.plan.length ? g.plan.map((s) =>
      el("li", {}, el("strong", {}, s.step), el("span", { class: "why" }, s.why)))
      : [el("li", {}, g.within_reach
          ? `Every posting you want is within reach${g.assumed.length ? " with " + g.assumed.join(" and ") : ""}: time to apply.`
          : "Nothing to close yet: rate more postings so the map learns which jobs you want.")]));
    document.getElementById("what-if-note").textContent = g.assumed.length
      ? `With ${g.assumed.join(" and ")}: ${g.moves_into_reach.length} posting${g.moves_into_reach.length === 1 ? "" : "s"} ` +
        `move into reach (${g.within_reach} within reach in all).` : "";
    document.getElementById("gaps-grid").hidden = false;
  }

  function renderToggles() {
    const skills = [...new Set([...toggleSkills, ...assumed])];
    document.getElementById("toggles").replaceChildren(...(skills.length ? skills.map((s) =>
      el("label", { class: "check" }, el("input", { type: "checkbox", value: s, checked: assumed.has(s),
        onchange: (e) => { e.target.checked ? assumed.add(s) : assumed.delete(s); load(); } }), s))
      : [el("span", { class: "hint" }, "No gaps to try.")]));
  }

  async function load() {
    error.hidden = true;
    const q = assumed.size ? `?assume=${encodeURIComponent([...assumed].join(","))}` : "";
    try {
      const [{ data: map }, { data: gaps }] = await Promise.all([
        api("GET", `/career/map${q}`), api("GET", `/career/gaps${q}${q ? "&" : "?"}limit=8`)]);
      if (!assumed.size) { toggleSkills = gaps.gaps.slice(0, 6).map((x) => x.skill); emptyStates(map); }
      renderMap(map);
      if (map.postings.length) renderGaps(gaps);
      renderToggles();
    } catch (err) { showError(error, err); }
  }
  load();
})();
