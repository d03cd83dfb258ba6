// Course settings: each setting is saved on its own as the author types (PATCH settings with only
// that setting; the voice's two fields together), so two authors changing different settings are merged, and the course model's
// own message for a wrong value (a language tag, a passing score over 100) is shown under the
// field, which is marked invalid until it is right.
"use strict";

(function () {
  const E = window.courseEditor;
  const form = document.getElementById("settings-form");
  if (!E || !form || !E.state.editable) return;
  const cf = window.courseforge;
  const { el } = E;
  const saveState = form.querySelector(".save-state");

  function convert(name, raw) {
    if (name !== "passing_score" && name !== "speed") return raw;
    return raw.trim() === "" || Number.isNaN(Number(raw)) ? (name === "speed" ? raw : null) : Number(raw);
  }

  /** A setting and its fields: one, or one per part of a setting made of parts (the voice). */
  const groups = new Map();
  for (const field of form.querySelectorAll("[data-setting]")) {
    const [name, part] = field.dataset.setting.split(".");
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push({ field, part, input: field.querySelector("input, select, textarea"), message: field.querySelector(".field-message") });
  }

  for (const [name, fields] of groups) {
    const whole = fields[0].part === undefined;
    const read = () => {
      if (whole) return convert(name, fields[0].input.value);
      const value = name === "voice" ? { engine: "espeak-ng" } : {};
      for (const { part, input } of fields) value[part] = part === "voice" ? input.value.trim() || null : convert(part, input.value);
      return value;
    };
    const write = (value) => {
      if (whole) fields[0].input.value = String(value ?? "");
      else for (const { part, input } of fields) input.value = String((value || {})[part] ?? "");
    };
    const shown = (value) => (whole ? String(value ?? "") : fields.map(({ part }) => `${part}: ${(value || {})[part] ?? ""}`).join(", "));
    const label = fields[0].field.querySelector("label").textContent;
    const box = el("div", { class: "conflict", role: "group", "aria-label": `Two versions of ${label}`, hidden: true });
    fields[fields.length - 1].field.append(box);
    const invalid = (problems, detail) => {
      for (const { part, input, message } of fields) {
        const problem = problems.find((p) => p.field === name || p.field.endsWith(`.${name}`) || (part && p.field.endsWith(`${name}.${part}`)));
        const text = problem ? problem.message : fields.length === 1 ? detail || "" : "";
        message.textContent = text;
        if (text) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    };
    const saver = cf.saver({
      key: `settings:${name}`,
      base: cf.head,
      send: (value, base, options) => cf.api("PATCH", "settings", { base_revision: base, [name]: value }, options),
      on: {
        state(text, kind) {
          saveState.textContent = `${label}: ${text}`;
          saveState.dataset.kind = kind;
        },
        saved(body, value) {
          invalid([]);
          if (name === "title") {
            document.getElementById("course-title").textContent = value;
            E.state.doc.title = value;
          }
        },
        invalid(body) {
          invalid(body.problems || [], body.detail);
        },
        conflict(body, value) {
          const theirs = body.conflicts && body.conflicts[0] ? body.conflicts[0].theirs : "";
          E.conflictBox(box, {
            mine: shown(value),
            theirs: shown(theirs),
            head: body.head_revision,
            onKeep: () => {
              saver.rebase(body.head_revision);
              saver.flush();
            },
            onTake: () => {
              write(theirs);
              saver.discard(body.head_revision);
            },
          });
        },
      },
    });
    const restored = saver.restore(read());
    if (restored !== null) write(restored);
    for (const { input } of fields) input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => saver.change(read()));
  }
})();
