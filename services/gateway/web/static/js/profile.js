"use strict";
(() => {
  const { api, el, showError } = LIR;
  const error = document.getElementById("profile-error");
  const SOURCES = { manual: "added by you", resume: "from your resume", resume_llm: "from your resume (read by the LLM)" };
  let profile = null;

  function render(p) {
    profile = p;
    document.getElementById("resume-cap").textContent = `at most ${+(p.resume_max_bytes / 1e6).toFixed(1)} MB`;
    const list = document.getElementById("my-skills");
    list.replaceChildren(...(p.skills.length ? p.skills.map((s) => el("li", { title: SOURCES[s.source], dataset: { source: s.source } },
      s.name, s.source !== "manual" ? el("span", { class: "src" }, " · resume") : null,
      el("button", { type: "button", class: "chip-x", "aria-label": `Remove ${s.name}`,
        onclick: () => save(p.skills.map((x) => x.name).filter((n) => n !== s.name)) }, "×")))
      : [el("li", { class: "empty" }, "No skills yet: add some, or read them from your resume below.")]));
    const about = document.getElementById("about");
    about.current_title.value = p.current_title || "";
    about.years_experience.value = p.years_experience ?? "";
    about.seniority.value = p.seniority || "";
    const hint = document.getElementById("years-hint");
    hint.hidden = p.suggested_years_experience === null || p.suggested_years_experience === p.years_experience;
    if (!hint.hidden) hint.replaceChildren(`Your resume mentions ${p.suggested_years_experience} years. `,
      el("button", { type: "button", class: "link", onclick: () => { about.years_experience.value = p.suggested_years_experience; } }, "Use it"));
    const box = document.getElementById("suggestions");
    box.hidden = !p.suggested_skills.length;
    document.getElementById("suggestions-note").textContent = p.resume_filename
      ? `From ${p.resume_filename}${p.resume_extraction && p.resume_extraction.startsWith("fallback") ? " (read by the rules: the LLM was unavailable)" : ""}.`
      : "From the text you pasted.";
    document.getElementById("suggested").replaceChildren(...p.suggested_skills.map((s) =>
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "suggested", value: s.name, checked: true }), s.name)));
  }

  async function save(skills) {
    error.hidden = true;
    document.getElementById("resume-status").textContent = "";
    try { render((await api("PUT", "/profile", { skills })).data); }
    catch (err) { showError(error, err); }
  }

  document.getElementById("add-skill").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = e.target.skill.value.trim();
    if (!name) return;
    e.target.skill.value = "";
    save([...profile.skills.map((s) => s.name), name]);
  });

  document.getElementById("about").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target, status = document.getElementById("about-status");
    error.hidden = true;
    try {
      render((await api("PUT", "/profile", {
        current_title: f.current_title.value.trim() || null,
        years_experience: f.years_experience.value === "" ? null : Number(f.years_experience.value),
        seniority: f.seniority.value || null,
      })).data);
      status.textContent = "Saved.";
    } catch (err) { showError(error, err); }
  });

  async function readResume(call) {
    const status = document.getElementById("resume-status");
    error.hidden = true;
    status.textContent = "Reading…";
    try {
      const p = (await call()).data;
      render(p);
      status.textContent = p.suggested_skills.length
        ? `${p.suggested_skills.length} skill${p.suggested_skills.length === 1 ? "" : "s"} found that you have not listed yet.`
        : "No skills found that you have not listed already.";
    } catch (err) { status.textContent = ""; showError(error, err); }
  }

  document.getElementById("resume-upload").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = e.target.file.files[0];
    if (!file) return;
    const fd = new FormData();
    fd.append("file", file);
    readResume(() => api("POST", "/profile/resume", fd));
  });
  document.getElementById("resume-paste").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = e.target.resume_text.value.trim();
    if (text) readResume(() => api("PUT", "/profile", { resume_text: text }));
  });
  document.getElementById("accept").addEventListener("click", () => {
    const picked = [...document.querySelectorAll('input[name="suggested"]:checked')].map((i) => i.value);
    save([...profile.skills.map((s) => s.name), ...picked]);
  });
  document.getElementById("decline").addEventListener("click", () => save(profile.skills.map((s) => s.name)));

  (async () => {
    try {
      const [{ data: p }, { data: vocab }] = await Promise.all([api("GET", "/profile"), api("GET", "/profile/vocabulary")]);
      render(p);
      document.getElementById("vocabulary").replaceChildren(...vocab.map((v) => el("option", { value: v })));
    } catch (err) { showError(error, err); }
  })();
})();
