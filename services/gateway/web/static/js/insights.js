"use strict";
(async () => {
  const { api, el, showError, scoreColour, RATING_COLOURS, RATING_LABELS, pretty } = LIR;
  const put = (id, node) => document.getElementById(id).replaceChildren(node);
  const empty = (text) => el("p", { class: "hint" }, text);
  const TOP = 10;  // per side: more makes a wall of bars
  const both = (d) => [...(d?.raise || []).slice(0, TOP),
    ...(d?.lower || []).slice(0, TOP).map((x) => ({ ...x, effect: -Math.abs(x.effect) }))]
    .sort((a, b) => b.effect - a.effect);

  function meanTable(rows, key, label) {
    return el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, label), el("th", { scope: "col" }, "Ratings"), el("th", { scope: "col" }, "Mean"))),
      el("tbody", {}, rows.map((r) => el("tr", {}, el("td", {}, pretty(r[key]) || "Unknown"), el("td", {}, String(r.n)),
        el("td", {}, el("span", { class: "badge small", style: `background:${scoreColour(r.mean_rating)}` }, Number(r.mean_rating).toFixed(1)))))));
  }

  try {
    const { data } = await api("GET", "/insights");
    put("dist", Charts.bars(data.rating_counts, RATING_LABELS.map((l, i) => `${i} ${l}`), RATING_COLOURS, "Number of postings per rating"));
    // Pay compared in rough US dollars, so one posting in rupees or yen does not set the scale.
    const pts = (data.pay_vs_rating || []).filter((p) => p.annual_max_usd)
      .map((p) => ({ x: p.rating, y: p.annual_max_usd, title: `${p.title || "Posting"}: ${LIR.money(p.annual_min, p.currency) || "?"}–${LIR.money(p.annual_max, p.currency) || "?"} /yr${p.currency && p.currency !== "USD" ? ` (≈ ${LIR.money(p.annual_max_usd, "USD")})` : ""}${p.salary_basis ? ` (${p.salary_basis})` : ""}, rated ${p.rating}` }));
    put("pay", pts.length ? Charts.scatter(pts, "Annual pay (top of range, in US$ equivalents, log scale) against your rating") : empty("No postings with pay yet."));
    const drivers = both(data.drivers), skills = both(data.skills), facts = both(data.facts);
    put("drivers", drivers.length ? Charts.diverging(drivers, { label: "Words that raise or lower your ratings, in rating points" }) : empty("Train a model to see drivers."));
    put("facts", facts.length ? Charts.diverging(facts, { label: "Pay, seniority, workplace and other facts that raise or lower your ratings, in rating points" }) : empty("Train a model to see drivers."));
    put("skills", skills.length ? Charts.diverging(skills, { label: "Skills that raise or lower your ratings, in rating points" }) : empty("No skills data yet."));
    put("companies", data.companies?.length ? meanTable(data.companies, "company", "Company") : empty("No companies yet."));
    put("seniority", data.seniority?.length ? meanTable(data.seniority, "seniority", "Seniority") : empty("No seniority data yet."));
  } catch (err) {
    showError(document.getElementById("insights-error"), err);
  }
})();
