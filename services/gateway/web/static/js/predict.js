"use strict";
(() => {
  const { api, followJob, el, jobStatus, postingCard, matchLine, showError, scoreColour, RATING_LABELS } = LIR;
  const form = document.getElementById("predict-form");
  const status = document.getElementById("predict-status");
  const error = document.getElementById("predict-error");

  function render({ posting, prediction: p }) {
    const score = document.getElementById("score");
    score.style.background = scoreColour(p.expected_score ?? p.predicted);
    score.replaceChildren(el("span", { class: "n" }, String(p.predicted)),
      el("span", {}, RATING_LABELS[p.predicted]),
      el("small", {}, `expected score ${Number(p.expected_score).toFixed(2)} / 3`));
    document.getElementById("score-note").textContent = p.heuristic
      ? "No trained model yet: this is a rough heuristic. Rate a dozen postings and train on the Model page."
      : `Model version ${p.model_version}. The rating shown is the middle (median) of the odds below; the expected score is their average.`;
    document.getElementById("match").replaceChildren(matchLine(p) || "");
    document.getElementById("probs").replaceChildren(Charts.probabilityBars(p.probabilities));
    const why = p.explanation;
    const parts = (why?.contributions || []).filter((x) => x.effect !== 0);
    document.getElementById("why").replaceChildren(
      why?.note ? el("p", { class: "hint" }, why.note) : "",
      why ? el("p", { class: "why-sum" },
        `A typical posting you rated scores ${Number(why.baseline).toFixed(2)}; the parts below add up to this posting's ${Number(why.expected_score).toFixed(2)} (in rating points).`) : "",
      parts.length
        ? Charts.diverging(parts.slice(0, 12), { label: "What raised (green) or lowered (red) the expected score, in rating points" })
        : el("p", { class: "hint" }, "No explanation available for this prediction."));
    document.getElementById("posting").replaceChildren(postingCard(posting));
    document.getElementById("result").hidden = false;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const url = form.url.value.trim();
    if (!url) return;
    error.hidden = true;
    status.replaceChildren(el("p", {}, "Predicting…"));
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      // 202 means "fetch (and read) it first": follow the job, then ask again. Reading the
      // fields can trail the fetch by a moment, hence a few rounds.
      let res = await api("POST", "/predictions?explain=true", { url });
      for (let round = 0; res.status === 202; round++) {
        if (round === 8) throw new Error("the posting could not be read yet; try again shortly");
        const job = await followJob(res.data.job.id, (j) => status.replaceChildren(jobStatus(j)));
        if (job.status !== "succeeded") throw new Error(job.error || `fetching the posting ${job.status}`);
        if (round > 0) await new Promise((r) => setTimeout(r, 1000));
        res = await api("POST", "/predictions?explain=true", { url });
      }
      status.replaceChildren();
      render(res.data);
    } catch (err) {
      status.replaceChildren();
      showError(error, err);
    } finally {
      button.disabled = false;
    }
  });
})();
