"use strict";
(() => {
  const { api, pollJob, el, jobStatus, showError, pretty, RATING_LABELS } = LIR;
  const tbody = document.querySelector("#ratings-table tbody");
  const filter = document.getElementById("filter");
  const filterRating = document.getElementById("filter-rating");
  const tableError = document.getElementById("table-error");
  let rows = [];
  let sort = { key: "updated_at", dir: -1 };

  async function load() {
    const all = [];
    for (let offset = 0; ; offset += 500) {
      const { data } = await api("GET", `/ratings?limit=500&offset=${offset}`);
      all.push(...data.items);
      if (all.length >= data.total || data.items.length === 0) break;
    }
    rows = all;
    draw();
  }

  function cmp(a, b) {
    const x = a[sort.key] ?? "", y = b[sort.key] ?? "";
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sort.dir;
  }

  function row(r) {
    const select = el("select", { "aria-label": `Rating for ${r.title || "posting " + r.posting_id}`, onchange: async () => {
      try { const { data } = await api("PATCH", `/ratings/${r.id}`, { rating: Number(select.value) }); Object.assign(r, data); }
      catch (err) { showError(tableError, err); select.value = String(r.rating); }
    } }, [0, 1, 2, 3].map((n) => el("option", { value: n, selected: n === r.rating }, `${n} · ${RATING_LABELS[n]}`)));
    const del = el("button", { type: "button", class: "link danger", onclick: async () => {
      if (!confirm(`Delete your rating of “${r.title || "this posting"}”?`)) return;
      try { await api("DELETE", `/ratings/${r.id}`); rows = rows.filter((x) => x !== r); draw(); }
      catch (err) { showError(tableError, err); }
    } }, "Delete");
    return el("tr", { dataset: { ratingId: r.id } },
      el("td", {}, r.title || `Posting ${r.posting_id}`),
      el("td", {}, r.company || "–"),
      el("td", {}, select),
      el("td", { title: r.posting_status_reason || null }, pretty(r.posting_status) || "–",
        r.posting_status_reason ? el("small", { class: "status-reason" }, r.posting_status_reason) : null),
      el("td", {}, el("time", { datetime: r.updated_at, title: r.updated_at }, new Date(r.updated_at).toLocaleDateString())),
      el("td", {}, del));
  }

  function draw() {
    const q = filter.value.trim().toLowerCase(), rv = filterRating.value;
    const shown = rows.filter((r) => (!q || `${r.title} ${r.company}`.toLowerCase().includes(q))
      && (rv === "" || r.rating === Number(rv))).sort(cmp);
    tbody.replaceChildren(...shown.map(row));
    document.getElementById("count").textContent = `${shown.length} of ${rows.length} ratings`;
  }

  document.querySelectorAll("th button[data-sort]").forEach((b) => b.addEventListener("click", () => {
    const key = b.dataset.sort;
    sort = { key, dir: sort.key === key ? -sort.dir : 1 };
    document.querySelectorAll("th[aria-sort]").forEach((th) => th.setAttribute("aria-sort", "none"));
    b.parentElement.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
    draw();
  }));
  filter.addEventListener("input", draw);
  filterRating.addEventListener("change", draw);

  const importForm = document.getElementById("import-form");
  importForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = document.getElementById("import-status"), error = document.getElementById("import-error");
    const out = document.getElementById("import-result");
    error.hidden = true;
    out.replaceChildren();
    try {
      const { data } = await api("POST", "/imports", new FormData(importForm));
      const job = await pollJob(data.job.id, (j) => status.replaceChildren(jobStatus(j)));
      if (job.status !== "succeeded") throw new Error(job.error || `import ${job.status}`);
      const r = job.result || { imported: 0, failed: 0, errors: [] };
      out.append(el("p", { role: "status" }, `Imported ${r.imported}, failed ${r.failed}.`));
      if (r.errors && r.errors.length) out.append(el("table", { class: "errors" },
        el("caption", {}, "Rows that failed"),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Row"), el("th", { scope: "col" }, "Error"))),
        el("tbody", {}, r.errors.map((x) => el("tr", {}, el("td", {}, String(x.row)), el("td", {}, x.error))))));
      importForm.reset();
      await load();
    } catch (err) { showError(error, err); }
  });

  load().catch((err) => showError(tableError, err));
})();
