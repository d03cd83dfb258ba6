// Course settings: each field is saved on its own as the author types (PATCH settings with only
// that setting), so two authors changing different settings are merged, and the course model's
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
    if (name !== "passing_score") return raw;
    return raw.trim() === "" || Number.isNaN(Number(raw)) ? null : Number(raw);
  }

  for (const field of form.querySelectorAll("[data-setting]")) {
    const name = field.dataset.setting;
    const input = field.querySelector("input, select, textarea");
    const message = field.querySelector(".field-message");
    const label = field.querySelector("label").textContent;
    const box = el("div", { class: "conflict", role: "group", "aria-label": `Two versions of ${label}`, hidden: true });
    field.append(box);
    const invalid = (text) => {
      message.textContent = text;
      if (text) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
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
          invalid("");
          if (name === "title") {
            document.getElementById("course-title").textContent = value;
            E.state.doc.title = value;
          }
        },
        invalid(body) {
          const problem = (body.problems || []).find((p) => p.field === name || p.field.endsWith(`.${name}`));
          invalid(problem ? problem.message : body.detail);
        },
        conflict(body, value) {
          const theirs = body.conflicts && body.conflicts[0] ? body.conflicts[0].theirs : "";
          E.conflictBox(box, {
            mine: String(value ?? ""),
            theirs: String(theirs ?? ""),
            head: body.head_revision,
            onKeep: () => {
              saver.rebase(body.head_revision);
              saver.flush();
            },
            onTake: () => {
              input.value = String(theirs ?? "");
              saver.discard(body.head_revision);
            },
          });
        },
      },
    });
    const restored = saver.restore(convert(name, input.value));
    if (restored !== null) input.value = String(restored ?? "");
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => saver.change(convert(name, input.value)));
  }
})();
