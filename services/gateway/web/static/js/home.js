"use strict";
(async () => {
  const box = document.getElementById("counts");
  try {
    const { data } = await LIR.api("GET", "/me");
    for (const dd of box.querySelectorAll("[data-count]")) {
      const key = dd.dataset.count;
      dd.textContent = key === "model"
        ? (data.model ? `v${data.model.version} · ${Math.round(data.model.cv_accuracy * 100)}% accurate` : "not trained yet")
        : String(data.counts[key] ?? 0);
    }
  } catch (err) {
    LIR.showError(document.getElementById("counts-error"), err);
  } finally {
    box.setAttribute("aria-busy", "false");
  }
})();
