"use strict";
(() => {
  const { api, pollJob, el, jobStatus, showError, pretty } = LIR;
  const error = document.getElementById("model-error");
  const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
  const num = (v, d = 2) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));

  function stat(label, value, id) {
    return el("div", {}, el("dt", {}, label), el("dd", { id }, value));
  }

  function confusion(m, counts) {
    const max = Math.max(1, ...m.flat());
    return el("table", { class: "confusion" },
      el("caption", { class: "hint" }, `Rows: your rating · columns: predicted. ${counts || ""}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), [0, 1, 2, 3].map((c) => el("th", { scope: "col" }, `pred ${c}`)))),
      el("tbody", {}, m.map((r, i) => el("tr", {}, el("th", { scope: "row" }, `rated ${i}`),
        r.map((v, j) => el("td", { style: `background: rgba(${i === j ? "46,125,50" : "198,40,40"}, ${(0.08 + 0.7 * v / max).toFixed(2)})` }, String(v)))))));
  }

  function leaderboard(rows) {
    // Scalar columns only (a candidate's confusion matrix is shown for the winner above).
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))]
      .filter((k) => !["name", "algorithm"].includes(k) && rows.every((r) => typeof r[k] !== "object" || r[k] === null));
    const sorted = [...rows].sort((a, b) => (b.cv_accuracy ?? 0) - (a.cv_accuracy ?? 0));
    return el("table", { id: "leaderboard-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Candidate"), keys.map((k) => el("th", { scope: "col" }, k.replace(/_/g, " "))))),
      el("tbody", {}, sorted.map((r) => el("tr", {}, el("th", { scope: "row" }, pretty(r.name || r.algorithm)),
        keys.map((k) => el("td", {}, typeof r[k] === "number" ? num(r[k], 3) : String(r[k] ?? "–")))))));
  }

  async function load() {
    const { data: versions } = await api("GET", "/models");
    const list = [...versions].sort((a, b) => a.version - b.version);
    const active = list.find((v) => v.is_active) || null;
    const latest = list[list.length - 1] || null;
    const box = document.getElementById("active");
    const verdict = document.getElementById("verdict");
    verdict.hidden = !latest;
    if (latest) {
      verdict.className = `verdict ${latest.is_active ? "good" : "poor"}`;
      verdict.replaceChildren(el("strong", {}, `Model v${latest.version}: `), latest.verdict,
        !latest.is_active ? el("span", {}, active
          ? ` Model v${active.version} stays in use.`
          : " Recommendations keep using the pay-and-seniority heuristic.") : "");
    }
    if (!active) {
      box.replaceChildren(stat("Model", latest
        ? "None in use — the pay-and-seniority heuristic ranks your postings until a model beats always guessing your usual rating."
        : "Not trained yet — rate at least a dozen postings, then retrain."));
      return;
    }
    const m = active.metrics || {};
    const maj = m.baselines?.majority;
    box.replaceChildren(
      stat("Version in use", `v${active.version}`, "active-version"),
      stat("CV accuracy", pct(m.cv_accuracy), "cv-accuracy"),
      stat("CV mean abs. error", num(m.cv_mae), "cv-mae"),
      maj ? stat(`Always guessing ${maj.rating}`, `${pct(maj.cv_accuracy)} · error ${num(maj.cv_mae)}`, "baseline-majority") : "",
      m.baselines?.heuristic?.cv_accuracy != null
        ? stat("Pay-and-seniority rule", `${pct(m.baselines.heuristic.cv_accuracy)} · error ${num(m.baselines.heuristic.cv_mae)}`, "baseline-heuristic") : "",
      stat("Spearman", num(m.spearman)),
      stat("Algorithm", pretty(active.algorithm)),
      stat("Trained on", `${active.n_ratings} ratings`));
    document.getElementById("history").replaceChildren(Charts.line(
      list.map((v) => ({ x: `v${v.version}`, y: v.metrics?.cv_accuracy ?? 0, active: v.is_active,
                         baseline: v.metrics?.baselines?.majority?.cv_accuracy })),
      "Cross-validated accuracy by model version"),
      el("p", { class: "hint", id: "history-legend" },
        "Blue: each version's accuracy (green point: the version in use). Grey, dashed: always guessing your usual rating at that version — a version is used only when its error is below that one's."));
    if (m.confusion_matrix) document.getElementById("confusion").replaceChildren(confusion(m.confusion_matrix, m.confusion_counts));
    if (active.leaderboard?.length) document.getElementById("leaderboard").replaceChildren(leaderboard(active.leaderboard));
  }

  document.getElementById("train").addEventListener("click", async (e) => {
    const button = e.currentTarget, status = document.getElementById("train-status");
    error.hidden = true;
    button.disabled = true;
    try {
      const { data } = await api("POST", "/models/train");
      const job = await pollJob(data.job.id, (j) => status.replaceChildren(jobStatus(j)));
      if (job.status !== "succeeded") throw new Error(job.error || `training ${job.status}`);
      if (job.message) status.append(el("p", { class: "job-result" }, job.message.replace(/^finished: /, "Finished: ")));
      await load();
    } catch (err) { showError(error, err); }
    finally { button.disabled = false; }
  });

  load().catch((err) => showError(error, err));
})();
