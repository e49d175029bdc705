"use strict";
/* Preferences: every stated preference in one form, saved with PUT /preferences. The
   server's 422 names the field at fault; its message is shown next to that field. */
(() => {
  const { api, showError } = LIR;
  const form = document.getElementById("prefs");
  const error = document.getElementById("prefs-error");
  const status = document.getElementById("prefs-status");
  const LISTS = ["want_keywords", "avoid_keywords", "locations", "skills"];
  const CHECKS = ["workplace_types", "seniorities"];
  const LABELS = {
    want_keywords: "Titles or keywords you want", avoid_keywords: "Title words you never want",
    min_pay: "Minimum pay", currency: "Minimum pay", workplace_types: "Workplace",
    seniorities: "Seniority", locations: "Locations or countries", skills: "Skills",
  };
  // Which field's message box shows an error about a field (the currency sits with the pay).
  const BOX = { currency: "min_pay" };

  function split(text) { return text.split(",").map((s) => s.trim()).filter(Boolean); }

  function fill(p) {
    for (const name of LISTS) form[name].value = p[name].join(", ");
    form.min_pay.value = p.min_pay ?? "";
    form.currency.value = p.currency || "";
    for (const name of CHECKS)
      for (const box of form.querySelectorAll(`input[name=${name}]`)) box.checked = p[name].includes(box.value);
  }

  function body() {
    const out = {};
    for (const name of LISTS) out[name] = split(form[name].value);
    out.min_pay = form.min_pay.value === "" ? null : Number(form.min_pay.value);
    out.currency = form.currency.value || null;
    for (const name of CHECKS)
      out[name] = [...form.querySelectorAll(`input[name=${name}]:checked`)].map((b) => b.value);
    return out;
  }

  function clearErrors() {
    error.hidden = true;
    for (const node of form.querySelectorAll(".field-error")) { node.hidden = true; node.textContent = ""; }
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  }

  function fieldError(field, message) {
    const box = document.getElementById(`${BOX[field] || field}-error`);
    box.hidden = false;
    box.textContent = box.textContent ? `${box.textContent} ${message}` : message;
    const input = form[field];
    if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
  }

  /* The 422's errors: [{loc: ["body", field, index?], msg}]; a rule over two fields
     (pay needs its currency) has no field in loc, so its message names it. */
  function problems(errors) {
    return errors.map((d) => {
      const msg = String(d.msg);
      let field = d.loc && d.loc.length > 1 ? String(d.loc[1]) : null;
      if (!field && /min_pay|currency/.test(msg)) field = "min_pay";
      return { field, msg: readable(msg) };
    });
  }

  /* The server's wording, in the page's terms. */
  function readable(msg) {
    return msg
      .replace(/^min_pay needs its currency.*/, "choose its currency")
      .replace(/^List should have at most (\d+) items? after validation, not (\d+)$/, "at most $1 entries, not $2")
      .replace(/^Input should be greater than 0$/, "must be more than 0")
      .replace(/^\w/, (c) => c.toLowerCase());
  }

  function check(b) {
    const found = [];
    if (b.min_pay !== null && !(b.min_pay > 0)) found.push({ field: "min_pay", msg: "must be more than 0" });
    if (b.min_pay !== null && !b.currency) found.push({ field: "min_pay", msg: "choose its currency" });
    if (b.min_pay === null && b.currency) found.push({ field: "min_pay", msg: "a currency without an amount: enter the amount, or set the currency back to “Choose…”" });
    for (const name of LISTS) {
      const long = b[name].find((v) => v.length > 100);
      if (long) found.push({ field: name, msg: `“${long.slice(0, 30)}…” is longer than 100 characters` });
    }
    return found;
  }

  function report(found) {
    for (const p of found) if (p.field) fieldError(p.field, p.msg.charAt(0).toUpperCase() + p.msg.slice(1) + ".");
    const named = found.map((p) => (p.field ? `${LABELS[p.field] || p.field}: ${p.msg}` : p.msg));
    showError(error, `Not saved — ${named.join("; ")}.`);
    const first = found.find((p) => p.field);
    if (first && form[first.field] && form[first.field].focus) form[first.field].focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    status.textContent = "";
    const b = body();
    const local = check(b);
    if (local.length) { report(local); return; }
    try {
      fill((await api("PUT", "/preferences", b)).data);
      status.replaceChildren("Saved. Your ", LIR.el("a", { href: "/recommend" }, "recommendations"),
        " and ", LIR.el("a", { href: "/rate" }, "rate-next suggestions"), " now use them.");
    } catch (err) {
      if (err.status === 422 && err.body?.errors?.length) report(problems(err.body.errors));
      else showError(error, err);
    }
  });

  const welcome = document.getElementById("welcome");
  welcome.hidden = !new URLSearchParams(location.search).has("welcome");
  (async () => {
    try {
      const { data } = await api("GET", "/preferences");
      fill(data);
      const empty = LISTS.every((n) => !data[n].length) && CHECKS.every((n) => !data[n].length) && data.min_pay === null;
      welcome.hidden &&= !empty;
    } catch (err) { showError(error, err); }
  })();
})();
