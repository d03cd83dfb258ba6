// The quiz editor: mounted into every `.quiz-editor` place the course page renders for a quiz
// block. It edits the whole block (settings, questions of the nine types, their answers) and
// saves it with a core saver as the author types; the server checks it against the course model
// and its problems are shown next to the fields they name, while the value stays in this browser
// until it is valid. New questions and answers go out without ids: the server makes them in the
// project style and the editor adopts them, so later saves keep them. Every author text reaches
// the page as textContent or a control's value.
"use strict";

(function () {
  const core = window.courseforge;
  const course = document.getElementById("course");
  if (!core || !course) return;

  const TYPES = {
    single_choice: "Single choice",
    multiple_response: "Multiple response",
    true_false: "True or false",
    fill_in: "Fill in the blank",
    free_text: "Free text",
    numeric: "Numeric",
    likert: "Likert scale",
    matching: "Matching",
    ordering: "Ordering",
    hotspot: "Hotspot on an image",
  };
  const CHOICE_TYPES = ["single_choice", "multiple_response"];
  /** The types a partly right answer can earn part of the points of (the model says how). */
  const PARTIAL_TYPES = ["multiple_response", "matching", "ordering"];
  const LISTS = ["choices", "pairs", "items", "statements", "regions"]; // lists of elements with ids
  const WORDS = ["accepted", "keywords", "scale"]; // lists of strings
  /** The player's default scale (in the course's language there); the start of a custom one. */
  const FIVE_POINTS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];
  const NUMERIC = ["answer", "tolerance", "min", "max"]; // a numeric question's (a true_false answer is a boolean)
  const numbersOf = (q) => ["points", "max_length", ...(q.type === "numeric" ? NUMERIC : [])];
  const LIMITS = { choices: [2, 26], pairs: [2, 20], items: [2, 20], accepted: [1, Infinity], keywords: [0, 20],
    statements: [1, 20], scale: [2, 11], regions: [2, 26] };
  const NOUNS = { choices: "choice", pairs: "pair", items: "item", accepted: "accepted answer", keywords: "keyword",
    statements: "statement", scale: "scale label", regions: "region" };
  const SHAPES = {
    rectangle: ["Rectangle", "x, y, width, height"],
    circle: ["Circle", "x, y, radius (of the width)"],
    polygon: ["Polygon", "x, y of each corner: x1, y1, x2, y2, x3, y3..."],
  };
  const IMAGE = /\.(png|jpe?g|gif|webp|avif|svg)$/i;
  /** The course's image files, as the page editor knows them (it loads this script). */
  const images = () => ((window.courseEditor && window.courseEditor.state.files) || []).filter((path) => IMAGE.test(path));
  /** A course file at the latest revision, as the live preview serves the course's files. */
  const fileUrl = (path) => `/api/courses/${encodeURIComponent(course.dataset.courseId)}/player/latest/scorm2004/${path.split("/").map(encodeURIComponent).join("/")}`;
  const BLOCK_FIELDS = { title: "Quiz title", pass_mark: "Pass mark", attempts: "Attempts", shuffle: "Shuffle", draw: "Draw", questions: "Questions" };
  const BLOCK_NUMBERS = ["pass_mark", "attempts", "draw"]; // typed as text, sent as numbers; empty = none
  const editors = new Map(); // place -> editor
  const sentKeys = new WeakMap(); // a value sent to the server -> the element keys at its positions
  let seq = 0;
  const newKey = () => `k${++seq}`;
  const newId = () => `qe-${++seq}`;

  // ------------------------------------------------------------------ DOM, text only
  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "value" || name === "checked" || name === "disabled") node[name] = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
    return node;
  }

  const filled = (text) => typeof text === "string" && text.trim() !== "";
  const letter = (index) => String.fromCharCode(65 + index);
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

  /** A typed number as a number; a number nobody can read is sent as typed, so the server names
   * the field ("Input should be a valid number") instead of the editor guessing; empty = null. */
  function number(text) {
    let typed = String(text ?? "").trim();
    if (typed === "") return null;
    if (/^[-+]?\d+,\d+$/.test(typed)) typed = typed.replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(typed) ? Number(typed) : typed;
  }

  // ------------------------------------------------------------------ the block and its local model
  // The model is the block with each question and answer given a key (`_k`, never sent) so that
  // focus, problems and ids follow an element wherever it moves; numbers are kept as typed.
  function loadQuestion(question) {
    const q = { ...question, _k: newKey(), feedback: { ...(question.feedback || {}) } };
    for (const name of numbersOf(q)) if (typeof q[name] === "number") q[name] = String(q[name]);
    for (const name of LISTS) if (Array.isArray(q[name])) q[name] = q[name].map((e) => ({ ...e, _k: newKey() }));
    for (const name of WORDS) if (Array.isArray(q[name])) q[name] = q[name].map((text) => ({ _k: newKey(), text: String(text) }));
    if (q.type === "free_text" && !q.keywords) q.keywords = [];
    if (q.type === "numeric") q._range = q.answer == null && (q.min != null || q.max != null);
    if (q.type === "hotspot") {
      if (!q.regions) q.regions = [];
      for (const r of q.regions) r._coords = Array.isArray(r.coords) ? r.coords.join(", ") : String(r.coords ?? "");
    }
    if (q.type === "likert") {
      q._custom = Array.isArray(q.scale);
      if (!q._custom) q.scale = [];
      if (!q.statements) q.statements = [];
    }
    return q;
  }

  function load(block) {
    const model = { ...block, questions: (Array.isArray(block.questions) ? block.questions : []).map(loadQuestion) };
    for (const name of BLOCK_NUMBERS) if (typeof model[name] === "number") model[name] = String(model[name]);
    return model;
  }

  function blank(type) {
    const q = { type, prompt: "", points: 1 };
    if (CHOICE_TYPES.includes(type)) q.choices = [{ text: "" }, { text: "" }];
    if (type === "true_false") q.answer = true;
    if (type === "fill_in") Object.assign(q, { accepted: [""], case_sensitive: false });
    if (type === "free_text") q.keywords = [];
    if (type === "matching") q.pairs = [{ source: "", target: "" }, { source: "", target: "" }];
    if (type === "ordering") q.items = [{ text: "" }, { text: "" }];
    if (type === "likert") {
      delete q.points;
      q.statements = [{ text: "" }];
    }
    if (type === "hotspot") {
      Object.assign(q, { image: images()[0] || "", alt: "" });
      q.regions = [
        { label: "", shape: "rectangle", coords: [10, 10, 20, 20], correct: true },
        { label: "", shape: "rectangle", coords: [60, 10, 20, 20] },
      ];
    }
    return loadQuestion(q);
  }

  function plain(element) {
    const out = {};
    for (const [name, value] of Object.entries(element)) if (!name.startsWith("_")) out[name] = value;
    return out;
  }

  function setNumber(out, element, name) {
    if (!(name in element)) return;
    const value = number(element[name]);
    if (value === null) delete out[name];
    else out[name] = value;
  }

  function sendQuestion(q) {
    const out = plain(q);
    const keys = { k: q._k };
    if (!q.id) delete out.id;
    for (const name of numbersOf(q)) setNumber(out, q, name);
    const feedback = {};
    for (const name of ["correct", "incorrect"]) if (filled(q.feedback[name])) feedback[name] = q.feedback[name];
    if (Object.keys(feedback).length) out.feedback = feedback;
    else delete out.feedback;
    for (const name of LISTS.filter((list) => Array.isArray(q[list]))) {
      keys[name] = q[name].map((e) => e._k);
      out[name] = q[name].map((e) => {
        const answer = plain(e);
        if (!e.id) delete answer.id;
        if ("feedback" in e && !filled(e.feedback)) delete answer.feedback;
        if (name === "choices" || name === "regions") {
          if (e.correct) answer.correct = true;
          else delete answer.correct;
        }
        if (name === "regions") answer.coords = coordinates(e._coords);
        return answer;
      });
    }
    for (const name of WORDS.filter((list) => Array.isArray(q[list]))) {
      keys[name] = q[name].map((e) => e._k);
      out[name] = q[name].map((e) => e.text);
    }
    if (Array.isArray(out.keywords) && out.keywords.length === 0) delete out.keywords; // none: unscored, the default
    if (q.type === "numeric") {
      for (const name of q._range ? ["answer", "tolerance"] : ["min", "max"]) delete out[name];
      if (!filled(q.unit)) delete out.unit;
    }
    if (q.type === "likert" && !q._custom) delete out.scale; // the preset: five points in the course's language
    if (PARTIAL_TYPES.includes(q.type) && q.partial_credit) out.partial_credit = true;
    else delete out.partial_credit; // the default, and not a field of the other types
    return [out, keys];
  }

  /** Typed coordinates as numbers; anything else is sent as typed, for the server to name. */
  function coordinates(text) {
    const parts = String(text ?? "").split(/[\s,;]+/).filter(Boolean);
    const numbers = parts.map((part) => number(part));
    return numbers.every((n) => typeof n === "number") ? numbers : String(text ?? "");
  }

  /** The block to save, as the model says; remembered with its keys for the server's answer. */
  function serialize(model) {
    const block = plain(model);
    for (const name of BLOCK_NUMBERS) setNumber(block, model, name);
    block.shuffle = !!model.shuffle;
    const keys = { questions: [] };
    block.questions = model.questions.map((q) => {
      const [out, k] = sendQuestion(q);
      keys.questions.push(k);
      return out;
    });
    sentKeys.set(block, keys);
    return block;
  }

  const lacksIds = (block) =>
    block.questions.some((q) => !q.id || LISTS.some((name) => Array.isArray(q[name]) && q[name].some((e) => !e.id)));

  // ------------------------------------------------------------------ problems from a 422 answer
  /** `sections[0].pages[1].blocks[2].quiz.questions[1].single_choice.choices` or the block's own
   * `questions.1.choices`: the path inside the block, as parts, type tags left out. */
  function blockPath(field) {
    let parts = String(field || "").replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean);
    for (let i = parts.length - 2; i >= 0; i--) {
      if (parts[i] === "blocks" && /^\d+$/.test(parts[i + 1])) {
        parts = parts.slice(i + 2);
        break;
      }
    }
    if (parts[0] === "quiz" || parts[0] === "block") parts.shift();
    if (parts[0] === "questions" && parts[2] in TYPES) parts.splice(2, 1);
    return parts;
  }

  /** Where a problem is shown: the key of the element's field, and words naming the place. */
  function placeOf(parts, keys) {
    if (parts[0] !== "questions" || parts.length < 2 || !keys.questions[Number(parts[1])]) {
      return { key: `block:${parts[0] || ""}`, where: BLOCK_FIELDS[parts[0]] || parts.join(".") || "Quiz" };
    }
    const q = keys.questions[Number(parts[1])];
    let where = `Question ${Number(parts[1]) + 1}`;
    const [name, index, inner] = parts.slice(2);
    if (name === undefined) return { key: `${q.k}:self`, where };
    if (Array.isArray(q[name]) && index !== undefined && q[name][Number(index)]) {
      const label = name === "choices" ? letter(Number(index)) : Number(index) + 1;
      where += `, ${NOUNS[name]} ${label}`;
      return { key: `${q[name][Number(index)]}:${inner || "self"}`, where: inner ? `${where}, ${inner}` : where };
    }
    const field = name === "feedback" && index ? `feedback.${index}` : name;
    return { key: `${q.k}:${field}`, where: `${where}, ${field.replace(/[._]/g, " ")}` };
  }

  // ------------------------------------------------------------------ read-only summary
  function summaryView(block) {
    const settings = [
      block.pass_mark == null ? "Pass mark: the course's passing score" : `Pass mark: ${block.pass_mark}%`,
      block.attempts ? `Attempts: ${block.attempts}` : "Attempts: unlimited",
    ];
    if (block.shuffle) settings.push("Choices and items shuffled");
    if (block.draw) settings.push(`${plural(block.draw, "question")} drawn per attempt`);
    const questions = (block.questions || []).map((q) => {
      const points = q.type === "likert" ? "unscored" : `${plural(q.points ?? 1, "point")}${q.partial_credit ? ", partial credit" : ""}`;
      return h(
        "li",
        { class: "qe-read-question" },
        h("p", { class: "qe-read-kind", text: `${TYPES[q.type] || q.type} · ${points}` }),
        h("p", { class: "qe-read-prompt", text: q.prompt || "" }),
        answerSummary(q),
        q.feedback && filled(q.feedback.correct) ? h("p", { class: "qe-read-note", text: `When right: ${q.feedback.correct}` }) : null,
        q.feedback && filled(q.feedback.incorrect) ? h("p", { class: "qe-read-note", text: `When wrong: ${q.feedback.incorrect}` }) : null,
      );
    });
    return h(
      "div",
      { class: "qe-read" },
      h("p", { class: "qe-read-title", text: block.title || "" }),
      h("p", { class: "qe-read-meta", text: settings.join(" · ") }),
      h("ol", { class: "qe-read-questions" }, questions),
    );
  }

  function answerSummary(q) {
    const line = (text) => h("p", { class: "qe-read-answer", text });
    const list = (tag, rows) => h(tag, { class: "qe-read-list" }, rows.map((text) => h("li", { text })));
    const unit = filled(q.unit) ? ` ${q.unit}` : "";
    switch (q.type) {
      case "single_choice":
      case "multiple_response":
        return list(
          "ul",
          (q.choices || []).map((c, i) => `${letter(i)}. ${c.text}${c.correct ? " (correct)" : ""}${filled(c.feedback) ? ` · feedback: ${c.feedback}` : ""}`),
        );
      case "true_false":
        return line(`Answer: ${q.answer ? "True" : "False"}`);
      case "fill_in":
        return line(`Accepted: ${(q.accepted || []).join(" | ")}${q.case_sensitive ? " (case sensitive)" : ""}`);
      case "free_text":
        return line(
          `${q.keywords && q.keywords.length ? `Keywords: ${q.keywords.join(", ")}` : "Unscored (no keywords)"} · at most ${q.max_length ?? 1000} characters`,
        );
      case "numeric":
        return line(q.answer != null ? `Answer: ${q.answer}${q.tolerance ? ` ± ${q.tolerance}` : ""}${unit}` : `Answer: from ${q.min} to ${q.max}${unit}`);
      case "matching":
        return list("ul", (q.pairs || []).map((p) => `${p.source} → ${p.target}`));
      case "ordering":
        return list("ol", (q.items || []).map((item) => item.text));
      case "hotspot":
        return h(
          "div",
          {},
          line(`Image: ${q.image} · alt text: ${q.alt}`),
          list("ol", (q.regions || []).map((r) => `${r.label} (${(SHAPES[r.shape] || [r.shape])[0].toLowerCase()} ${(r.coords || []).join(", ")})${r.correct ? " (correct)" : ""}`)),
        );
      case "likert":
        return h(
          "div",
          {},
          list("ol", (q.statements || []).map((statement) => statement.text)),
          line(`Scale: ${Array.isArray(q.scale) ? q.scale.join(" | ") : `five points, ${FIVE_POINTS[0]} to ${FIVE_POINTS[4]}`}`),
        );
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------ one editor
  function editor(place, blockId, loaded, life) {
    let model = load(loaded.block);
    let problems = [];
    const registry = new Map(); // field key -> {control, host}
    const undo = [];
    const state = h("p", { class: "qe-state", role: "status" });
    const note = h("span", { class: "qe-note-text" });
    const undoButton = h("button", { type: "button", class: "qe-undo", text: "Undo", hidden: true, onclick: undoLast });
    const noteBar = h("p", { class: "qe-note", "aria-live": "polite" }, note, " ", undoButton);
    const summary = h("div", { class: "qe-problems", hidden: true, tabindex: "-1" });
    const conflictBox = h("div", { class: "qe-conflict", hidden: true });
    const body = h("div", { class: "qe-body" });
    place.replaceChildren(state, noteBar, conflictBox, summary, body);
    place.classList.add("qe-mounted");

    const saver = core.saver({
      key: `block:${blockId}`,
      base: loaded.revision,
      send: (value, base, options) =>
        core.api("PUT", `blocks/${encodeURIComponent(blockId)}`, { base_revision: base, block: value }, options),
      on: {
        state(text, kind) {
          state.textContent = text;
          place.dataset.state = kind;
        },
        saved(answer, value) {
          problems = [];
          showProblems();
          if (lacksIds(value)) adoptIds(answer, value);
        },
        invalid(answer, value) {
          const keys = sentKeys.get(value) || sentKeys.get(serialize(model));
          const found = Array.isArray(answer.problems) && answer.problems.length ? answer.problems : [{ field: answer.field, message: answer.detail }];
          problems = found.map((p) => ({
            ...placeOf(blockPath(p.field), keys),
            message: String(p.message || p.detail || "").replace(/^Value error, /, ""),
          }));
          showProblems();
          // Typed while that save was on its way: send the newer value too.
          const now = serialize(model);
          if (JSON.stringify(now) !== JSON.stringify(value)) saver.change(now);
        },
        conflict: showConflict,
      },
    });
    life.saver = saver;
    const draft = saver.restore(loaded.block);
    if (draft) model = load(draft);
    render();
    if (draft) {
      saver.change(serialize(model));
      announce("Restored your unsaved changes from this browser.");
    }

    function changed() {
      saver.change(serialize(model));
    }

    function announce(text, canUndo = false) {
      note.textContent = text;
      undoButton.hidden = !canUndo;
    }

    /** A change of structure: draw again, save, and put the focus on `focusKey`, or back where
     * it was (the same control of the same element, wherever the element moved, caret kept). */
    function structural(focusKey) {
      const active = document.activeElement;
      const inside = active && place.contains(active) && active.dataset.key;
      const caret = inside && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
      render();
      changed();
      const key = focusKey || (inside ? active.dataset.key : null);
      if (!key) return;
      const target = focus(key);
      if (caret && target && target.dataset.key === key && typeof target.setSelectionRange === "function") target.setSelectionRange(...caret);
    }

    function focus(key) {
      const all = [...place.querySelectorAll("[data-key]")].filter((node) => !node.disabled);
      const [prefix, what] = key.split(":");
      const twin = { up: "down", down: "up" }[what];
      const target =
        all.find((node) => node.dataset.key === key) ||
        (twin && all.find((node) => node.dataset.key === `${prefix}:${twin}`)) ||
        all.find((node) => node.dataset.key.startsWith(`${prefix}:`));
      if (target) target.focus();
      return target;
    }

    function register(key, control, host = control.parentElement) {
      registry.set(key, { control, host });
    }

    // -------------------------------------------------------------- problems on screen
    function showProblems() {
      for (const node of place.querySelectorAll(".qe-problem")) node.remove();
      for (const node of place.querySelectorAll("[aria-invalid]")) {
        node.removeAttribute("aria-invalid");
        if (node.dataset.hint) node.setAttribute("aria-describedby", node.dataset.hint);
        else node.removeAttribute("aria-describedby");
      }
      const items = problems.map((problem) => {
        const spot = registry.get(problem.key) || registry.get(`${problem.key.split(":")[0]}:self`);
        if (spot) {
          const id = newId();
          spot.host.append(h("p", { class: "qe-problem", id, text: problem.message }));
          spot.control.setAttribute("aria-invalid", "true");
          spot.control.setAttribute("aria-describedby", [spot.control.dataset.hint, id].filter(Boolean).join(" "));
        }
        const label = `${problem.where}: ${problem.message}`;
        if (!spot) return h("li", { text: label });
        const target = spot.control.matches("fieldset")
          ? spot.control.querySelector('input[type="text"], textarea') || spot.control.querySelector("input, select, button")
          : spot.control;
        return h("li", {}, h("button", { type: "button", class: "qe-link", text: label, onclick: () => target && target.focus() }));
      });
      summary.hidden = items.length === 0;
      summary.replaceChildren(
        ...(items.length
          ? [h("p", { class: "qe-problems-title", text: `Not saved yet: ${plural(items.length, "problem")} to fix. Your changes are kept in this browser.` }), h("ul", {}, items)]
          : []),
      );
    }

    // -------------------------------------------------------------- ids made by the server
    async function adoptIds(answer, value) {
      let stored = answer.block;
      if (!stored) {
        const got = await core.api("GET", `blocks/${encodeURIComponent(blockId)}`);
        if (got.ok && got.body.revision === answer.revision) stored = got.body.block;
        else {
          const revision = await core.api("GET", `revisions/${answer.revision}`);
          const pages = revision.ok ? (revision.body.course.sections || []).flatMap((s) => s.pages || []) : [];
          stored = pages.flatMap((p) => p.blocks || []).find((b) => b.id === blockId);
        }
      }
      if (!stored || !Array.isArray(stored.questions) || life.disposed) return;
      const keys = sentKeys.get(value);
      const byKey = new Map();
      for (const q of model.questions) {
        byKey.set(q._k, q);
        for (const name of LISTS) for (const e of q[name] || []) byKey.set(e._k, e);
      }
      value.questions.forEach((q, i) => {
        const kept = stored.questions[i];
        const k = keys.questions[i];
        if (!kept || !k) return;
        const mine = byKey.get(k.k);
        if (mine && !mine.id && !q.id && kept.id) mine.id = kept.id;
        for (const name of LISTS.filter((list) => Array.isArray(q[list]) && Array.isArray(kept[list]))) {
          q[name].forEach((e, j) => {
            const local = byKey.get(k[name][j]);
            if (local && !local.id && !e.id && kept[name][j] && kept[name][j].id) local.id = kept[name][j].id;
          });
        }
      });
      if (saver.pending) changed(); // the value waiting to be sent carries the ids now
    }

    // -------------------------------------------------------------- conflicts
    function showConflict(answer) {
      const theirs = answer.conflicts && answer.conflicts[0] ? answer.conflicts[0].theirs : null;
      const head = answer.head_revision;
      const close = (text) => {
        conflictBox.hidden = true;
        conflictBox.replaceChildren();
        announce(text);
      };
      const keep = h("button", {
        type: "button",
        text: "Keep mine",
        onclick() {
          saver.rebase(head);
          close("Your version is kept; saving it.");
          saver.flush();
          focus("block:title");
        },
      });
      const take = h("button", {
        type: "button",
        text: "Take theirs",
        disabled: !theirs,
        onclick() {
          model = load(theirs);
          saver.discard(head);
          problems = [];
          render();
          close("Their version is loaded.");
          focus("block:title");
        },
      });
      conflictBox.hidden = false;
      conflictBox.replaceChildren(
        h("p", {
          class: "qe-conflict-title",
          text: theirs
            ? `Someone else changed this quiz meanwhile (revision ${head}). Nothing was overwritten; your version is kept here.`
            : "Someone else deleted this quiz meanwhile. Your version is kept here.",
        }),
        h(
          "div",
          { class: "qe-versions" },
          h("section", { class: "qe-version" }, h("h4", { text: "Yours" }), summaryView(serialize(model))),
          theirs ? h("section", { class: "qe-version" }, h("h4", { text: `Theirs (revision ${head})` }), summaryView(theirs)) : null,
        ),
        h("p", { class: "qe-tools" }, keep, " ", take),
      );
      keep.focus();
    }

    // -------------------------------------------------------------- lists: move, delete, undo
    function move(list, index, by) {
      const to = index + by;
      if (to < 0 || to >= list.length) return;
      [list[index], list[to]] = [list[to], list[index]];
      structural();
      announce(`Moved to position ${to + 1} of ${list.length}.`);
    }

    function remove(list, index, what) {
      const [gone] = list.splice(index, 1);
      undo.push({ list, index, item: gone, what });
      structural();
      announce(`Deleted ${what}.`, true);
      undoButton.focus();
    }

    function undoLast() {
      const last = undo.pop();
      if (!last) return;
      last.list.splice(Math.min(last.index, last.list.length), 0, last.item);
      structural(`${last.item._k}:`);
      const previous = undo[undo.length - 1];
      announce(`Restored ${last.what}.${previous ? ` Undo also restores ${previous.what}.` : ""}`, !!previous);
    }

    /** Alt+ArrowUp / Alt+ArrowDown moves the question, answer or item the focus is in. */
    function moveKeys(list, index) {
      return (event) => {
        if (!event.altKey || event.ctrlKey || event.metaKey || event.target.tagName === "SELECT") return;
        if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
        event.preventDefault();
        event.stopPropagation();
        move(list, index, event.key === "ArrowUp" ? -1 : 1);
      };
    }

    function tools(list, index, what, min, key) {
      return h(
        "div",
        { class: "qe-tools" },
        button(`${key}:up`, "Move up", () => move(list, index, -1), { label: `Move up: ${what}`, disabled: index === 0, shortcut: "Alt+ArrowUp" }),
        button(`${key}:down`, "Move down", () => move(list, index, 1), { label: `Move down: ${what}`, disabled: index === list.length - 1, shortcut: "Alt+ArrowDown" }),
        button(`${key}:delete`, "Delete", () => remove(list, index, what), { label: `Delete ${what}`, disabled: list.length <= min, class: "qe-delete" }),
      );
    }

    // -------------------------------------------------------------- controls
    function button(key, text, onclick, options = {}) {
      return h("button", {
        type: "button",
        "data-key": key,
        class: options.class,
        text,
        onclick,
        disabled: options.disabled,
        "aria-label": options.label,
        "aria-keyshortcuts": options.shortcut,
      });
    }

    function field(key, label, value, set, options = {}) {
      const id = newId();
      const control = options.multiline
        ? h("textarea", { id, rows: Math.min(12, Math.max(options.rows || 3, Math.ceil(String(value ?? "").length / 70) + 1)) })
        : h("input", { id, type: "text", inputmode: options.inputmode, autocomplete: "off", spellcheck: options.inputmode ? "false" : undefined });
      control.value = value ?? "";
      control.dataset.key = key;
      control.addEventListener("input", () => {
        set(control.value);
        changed();
      });
      const hint = options.hint ? h("span", { class: "qe-hint", id: `${id}-hint`, text: options.hint }) : null;
      if (hint) {
        control.dataset.hint = hint.id;
        control.setAttribute("aria-describedby", hint.id);
      }
      const wrap = h("div", { class: `qe-field${options.wide ? " qe-wide" : ""}` }, h("label", { for: id, text: label }), control, hint);
      register(key, control, wrap);
      return wrap;
    }

    function check(key, label, checked, set, options = {}) {
      const control = h("input", {
        type: options.radio ? "radio" : "checkbox",
        name: options.name,
        checked,
        value: options.value,
        "aria-label": options.label,
      });
      control.dataset.key = key;
      control.addEventListener("change", () => {
        set(control.checked);
        changed();
      });
      return h("label", { class: "qe-check" }, control, h("span", { text: label }));
    }

    function group(key, legend, ...children) {
      const slot = h("div", { class: "qe-slot" });
      const set = h("fieldset", { class: "qe-group" }, h("legend", { text: legend }), slot, ...children);
      register(key, set, slot);
      return set;
    }

    /** An ordered list of answers (choices, pairs, items, accepted answers, keywords). */
    function rows(q, name, legend, cells, fresh, extra) {
      const list = q[name];
      const [min, max] = LIMITS[name];
      const ol = h("ol", { class: "qe-rows" });
      list.forEach((e, i) => {
        const what = `${NOUNS[name]} ${name === "choices" ? letter(i) : i + 1}`;
        const row = h("li", { class: "qe-row", onkeydown: moveKeys(list, i) }, cells(e, i, what), tools(list, i, what, min, e._k));
        register(`${e._k}:self`, row.querySelector("input"), row);
        ol.append(row);
      });
      const add = button(`${q._k}:add-${name}`, `Add ${NOUNS[name]}`, () => {
        const made = { ...fresh(), _k: newKey() };
        list.push(made);
        structural(`${made._k}:`);
        announce(`Added ${NOUNS[name]} ${name === "choices" ? letter(list.length - 1) : list.length}.`);
      }, { disabled: list.length >= max });
      const set = group(`${q._k}:${name}`, legend, extra || null, ol, add);
      if (name === "choices") registry.set(`${q._k}:self`, registry.get(`${q._k}:choices`)); // "exactly one correct"
      return set;
    }

    // -------------------------------------------------------------- the form
    function render() {
      registry.clear();
      const settings = h(
        "fieldset",
        { class: "qe-settings" },
        h("legend", { text: "Quiz settings" }),
        field("block:title", "Quiz title", model.title, (v) => (model.title = v), { wide: true }),
        field("block:pass_mark", "Pass mark (%)", model.pass_mark, (v) => (model.pass_mark = v), {
          inputmode: "numeric",
          hint: "0 to 100; empty: the course's passing score",
        }),
        field("block:attempts", "Attempts", model.attempts ?? "0", (v) => (model.attempts = v), { inputmode: "numeric", hint: "0 = unlimited" }),
        check("block:shuffle", "Shuffle choices and items for each learner", !!model.shuffle, (v) => (model.shuffle = v)),
        field("block:draw", "Draw N questions per attempt", model.draw, (v) => (model.draw = v), {
          inputmode: "numeric",
          hint: "A question bank: each attempt shows this many of the questions, drawn for each learner; empty: all of them",
        }),
      );
      register("block:shuffle", settings.querySelector('[data-key="block:shuffle"]'), settings);
      const list = h("ol", { class: "qe-questions" }, model.questions.map(questionView));
      const type = h("select", { id: newId(), "data-key": "block:new-type" }, Object.entries(TYPES).map(([value, text]) => h("option", { value, text })));
      type.value = place.dataset.newType || "single_choice";
      type.addEventListener("change", () => (place.dataset.newType = type.value));
      const add = button("block:add", "Add question", () => {
        const q = blank(type.value);
        model.questions.push(q);
        structural(`${q._k}:prompt`);
        announce(`Added question ${model.questions.length} (${TYPES[q.type]}).`);
      });
      const questions = h(
        "section",
        { class: "qe-question-list" },
        h("h4", { class: "qe-heading", text: `Questions (${model.questions.length})` }),
        list,
        h("div", { class: "qe-add" }, h("label", { for: type.id, text: "New question type" }), type, add),
      );
      register("block:questions", list, questions.querySelector(".qe-heading"));
      body.replaceChildren(settings, questions);
      showProblems();
    }

    function questionView(q, index) {
      const known = q.type in TYPES;
      const heading = h("h5", { class: "qe-question-title", id: newId(), tabindex: "-1", text: `Question ${index + 1} · ${TYPES[q.type] || q.type}` });
      const item = h(
        "li",
        { class: "qe-question", "aria-labelledby": heading.id, onkeydown: moveKeys(model.questions, index) },
        h("div", { class: "qe-question-head" }, heading, tools(model.questions, index, `question ${index + 1}`, 1, q._k)),
      );
      const slot = h("div", { class: "qe-slot" });
      item.append(slot);
      register(`${q._k}:self`, heading, slot);
      register(`${q._k}:type`, heading, slot);
      if (!known) {
        item.append(h("p", { class: "qe-hint", text: "This kind of question cannot be edited here; it is kept as it is." }));
      } else {
        if (CHOICE_TYPES.includes(q.type)) item.append(typeSwitch(q));
        const survey = q.type === "likert";
        item.append(
          survey
            ? h("p", { class: "qe-hint qe-unscored", text: "Never scored: it counts toward no score or pass mark; the LMS gets each statement's rating." })
            : field(`${q._k}:points`, "Points", q.points ?? "1", (v) => (q.points = v), { inputmode: "decimal", hint: "More than 0, at most 1000" }),
          field(`${q._k}:prompt`, "Prompt (Markdown)", q.prompt, (v) => (q.prompt = v), { multiline: true, wide: true }),
          answers(q),
          PARTIAL_TYPES.includes(q.type) ? partialCredit(q) : null,
          field(`${q._k}:feedback.correct`, survey ? "Shown after submitting (optional)" : "Feedback when right (optional)", q.feedback.correct, (v) => (q.feedback.correct = v), { multiline: true, rows: 2, wide: true }),
          survey ? null : field(`${q._k}:feedback.incorrect`, "Feedback when wrong (optional)", q.feedback.incorrect, (v) => (q.feedback.incorrect = v), { multiline: true, rows: 2, wide: true }),
        );
      }
      return item;
    }

    /** Part of the points for a partly right answer, with the rule of the question's type. */
    function partialCredit(q) {
      const rule = {
        multiple_response: "(right picks - wrong picks) / correct choices, never below 0",
        matching: "pairs matched right / pairs",
        ordering: "(most items in the right order relative to one another - 1) / (items - 1)",
      }[q.type];
      const box = check(`${q._k}:partial_credit`, "Partial credit", !!q.partial_credit, (v) => (q.partial_credit = v));
      const hint = h("span", { class: "qe-hint", id: newId(), text: `Points times ${rule}; the LMS still hears 'incorrect' unless all is right` });
      const control = box.querySelector("input");
      control.dataset.hint = hint.id;
      control.setAttribute("aria-describedby", hint.id);
      const wrap = h("div", { class: "qe-field qe-wide" }, box, hint);
      register(`${q._k}:partial_credit`, control, wrap);
      return wrap;
    }

    /** Single choice and multiple response keep their meaning when swapped (the same choices,
     * one or several of them right); no other type can become another without losing answers. */
    function typeSwitch(q) {
      const id = newId();
      const select = h("select", { id, "data-key": `${q._k}:type-select` }, CHOICE_TYPES.map((value) => h("option", { value, text: TYPES[value] })));
      select.value = q.type;
      select.addEventListener("change", () => {
        q.type = select.value;
        let kept = false;
        if (q.type === "single_choice") {
          for (const c of q.choices) {
            if (c.correct && kept) c.correct = false;
            else if (c.correct) kept = true;
          }
        }
        structural(`${q._k}:type-select`);
        announce(`Question is now ${TYPES[q.type]}${q.type === "single_choice" ? "; one choice can be correct" : ""}.`);
      });
      return h("div", { class: "qe-field" }, h("label", { for: id, text: "Question type" }), select);
    }

    function answers(q) {
      const name = newId();
      switch (q.type) {
        case "single_choice":
        case "multiple_response": {
          const single = q.type === "single_choice";
          return rows(
            q,
            "choices",
            single ? "Choices: mark the one correct answer" : "Choices: mark every correct answer",
            (c, i, what) => [
              field(`${c._k}:text`, `Choice ${letter(i)}`, c.text, (v) => (c.text = v), { wide: true }),
              check(`${c._k}:correct`, "Correct", !!c.correct, (on) => {
                if (single) for (const other of q.choices) other.correct = other === c;
                else c.correct = on;
              }, { radio: single, name, label: `Correct: ${what}` }),
              field(`${c._k}:feedback`, `Feedback for ${letter(i)} (optional)`, c.feedback, (v) => (c.feedback = v), { wide: true }),
            ],
            () => ({ text: "" }),
          );
        }
        case "true_false":
          return group(
            `${q._k}:answer`,
            "The correct answer",
            check(`${q._k}:answer-true`, "True", q.answer === true, () => (q.answer = true), { radio: true, name, value: "true" }),
            check(`${q._k}:answer-false`, "False", q.answer === false, () => (q.answer = false), { radio: true, name, value: "false" }),
          );
        case "fill_in":
          return h(
            "div",
            {},
            rows(q, "accepted", "Accepted answers (each 1 to 250 characters; surrounding spaces are ignored)", (a, i, what) => [
              field(`${a._k}:text`, `Accepted answer ${i + 1}`, a.text, (v) => (a.text = v), { wide: true }),
            ], () => ({ text: "" })),
            check(`${q._k}:case_sensitive`, "Case sensitive (Paris is not paris)", !!q.case_sensitive, (v) => (q.case_sensitive = v)),
          );
        case "free_text":
          return h(
            "div",
            {},
            rows(
              q,
              "keywords",
              "Keywords a right answer must all contain (letter case ignored; at most 20)",
              (k, i) => [field(`${k._k}:text`, `Keyword ${i + 1}`, k.text, (v) => (k.text = v), { wide: true })],
              () => ({ text: "" }),
              q.keywords.length ? null : h("p", { class: "qe-hint qe-unscored", text: "No keywords: this question is not scored (a reflection); the LMS still gets the text." }),
            ),
            field(`${q._k}:max_length`, "Longest answer (characters)", q.max_length ?? "1000", (v) => (q.max_length = v), { inputmode: "numeric", hint: "10 to 4000" }),
          );
        case "numeric":
          return numericAnswer(q, name);
        case "likert":
          return likertAnswer(q, name);
        case "hotspot":
          return hotspotAnswer(q);
        case "matching":
          return rows(q, "pairs", "Pairs: each item and the one it matches", (p, i) => [
            field(`${p._k}:source`, `Item ${i + 1}`, p.source, (v) => (p.source = v)),
            field(`${p._k}:target`, `Matches ${i + 1}`, p.target, (v) => (p.target = v)),
          ], () => ({ source: "", target: "" }));
        case "ordering":
          return rows(q, "items", "Items, in the correct order", (item, i) => [
            field(`${item._k}:text`, `Item ${i + 1}`, item.text, (v) => (item.text = v), { wide: true }),
          ], () => ({ text: "" }));
        default:
          return null;
      }
    }

    /** Statements (1 to 20, each its own row to move or delete) and the scale: the preset five
     * points, which the player says in the course's language, or the author's 2 to 11 labels. */
    function likertAnswer(q, name) {
      const statements = rows(q, "statements", "Statements, each rated on the scale (1 to 20)", (st, i) => [
        field(`${st._k}:text`, `Statement ${i + 1}`, st.text, (v) => (st.text = v), { wide: true }),
      ], () => ({ text: "" }));
      const form = (custom) => () => {
        q._custom = custom;
        if (custom && q.scale.length === 0) q.scale = FIVE_POINTS.map((text) => ({ _k: newKey(), text }));
        structural(`${q._k}:scale-${custom ? "custom" : "preset"}`);
      };
      const set = group(
        `${q._k}:scale`,
        "Scale",
        h(
          "div",
          { class: "qe-choice-of", role: "radiogroup", "aria-label": "Kind of scale" },
          check(`${q._k}:scale-preset`, "Five points, Strongly disagree to Strongly agree (in the course's language)", !q._custom, form(false), { radio: true, name }),
          check(`${q._k}:scale-custom`, "My own labels, lowest first (2 to 11 points)", !!q._custom, form(true), { radio: true, name }),
        ),
        q._custom
          ? rows(q, "scale", "Scale labels, lowest first", (label, i) => [
              field(`${label._k}:text`, `Point ${i + 1}`, label.text, (v) => (label.text = v), { wide: true }),
            ], () => ({ text: "" }))
          : null,
      );
      return h("div", {}, statements, set);
    }

    /** The image (one of the course's), its alt text, and the regions to pick, each with its
     * shape and coordinates in percent of the image, drawn over the image as they are typed. */
    function hotspotAnswer(q) {
      const id = newId();
      const files = images().includes(q.image) || !q.image ? images() : [q.image, ...images()];
      const picker = h("select", { id, "data-key": `${q._k}:image` }, files.map((file) => h("option", { value: file, text: file })));
      picker.value = q.image || "";
      const preview = h("div", { class: "qe-hotspot-preview", "aria-hidden": "true" });
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("viewBox", "0 0 100 100");
      svg.setAttribute("preserveAspectRatio", "none");
      const picture = h("img", { alt: "" });
      preview.append(picture, svg);
      const draw = () => {
        const aspect = picture.naturalWidth && picture.naturalHeight ? picture.naturalWidth / picture.naturalHeight : 1;
        svg.replaceChildren();
        q.regions.forEach((r, i) => {
          const c = coordinates(r._coords);
          if (!Array.isArray(c)) return;
          const make = (tag, attributes) => {
            const shape = document.createElementNS("http://www.w3.org/2000/svg", tag);
            for (const [name, value] of Object.entries(attributes)) shape.setAttribute(name, String(value));
            shape.setAttribute("class", r.correct ? "qe-region qe-region-correct" : "qe-region");
            shape.setAttribute("vector-effect", "non-scaling-stroke");
            shape.dataset.region = String(i + 1);
            svg.append(shape);
          };
          if (r.shape === "rectangle" && c.length === 4) make("rect", { x: c[0], y: c[1], width: c[2], height: c[3] });
          else if (r.shape === "circle" && c.length === 3) make("ellipse", { cx: c[0], cy: c[1], rx: c[2], ry: c[2] * aspect });
          else if (r.shape === "polygon" && c.length >= 6) make("polygon", { points: c.join(" ") });
        });
      };
      picture.addEventListener("load", draw);
      if (q.image) picture.src = fileUrl(q.image);
      picker.addEventListener("change", () => {
        q.image = picker.value;
        picture.src = fileUrl(q.image);
        changed();
      });
      const imageField = h("div", { class: "qe-field qe-wide" }, h("label", { for: id, text: "Image" }), picker);
      register(`${q._k}:image`, picker, imageField);
      const redrawn = (set) => (value) => {
        set(value);
        draw();
      };
      const regions = rows(
        q,
        "regions",
        "Regions, checked in this order: mark every correct one (coordinates in percent of the image, from its top left corner)",
        (r, i, what) => {
          const shapeId = newId();
          const shape = h("select", { id: shapeId, "data-key": `${r._k}:shape` }, Object.entries(SHAPES).map(([value, [text]]) => h("option", { value, text })));
          shape.value = r.shape;
          shape.addEventListener("change", () => {
            r.shape = shape.value;
            structural(`${r._k}:shape`);
          });
          const shapeField = h("div", { class: "qe-field" }, h("label", { for: shapeId, text: `Shape ${i + 1}` }), shape);
          register(`${r._k}:shape`, shape, shapeField);
          return [
            field(`${r._k}:label`, `Region ${i + 1} label`, r.label, (v) => (r.label = v), { hint: "What it is: keyboard and screen reader users pick by it" }),
            shapeField,
            field(`${r._k}:coords`, `Coordinates ${i + 1}`, r._coords, redrawn((v) => (r._coords = v)), { inputmode: "decimal", hint: (SHAPES[r.shape] || ["", ""])[1] }),
            check(`${r._k}:correct`, "Correct", !!r.correct, redrawn((on) => (r.correct = on)), { label: `Correct: ${what}` }),
          ];
        },
        () => ({ label: "", shape: "rectangle", _coords: "40, 40, 20, 20" }),
      );
      registry.set(`${q._k}:self`, registry.get(`${q._k}:regions`)); // "at least one region with correct: true"
      draw();
      return h(
        "div",
        {},
        imageField,
        field(`${q._k}:alt`, "Alt text (required: what the image shows)", q.alt, (v) => (q.alt = v), { wide: true }),
        preview,
        regions,
      );
    }

    function numericAnswer(q, name) {
      const form = (range) => () => {
        q._range = range;
        structural(`${q._k}:form-${range ? "range" : "answer"}`);
      };
      const fields = q._range
        ? [
            field(`${q._k}:min`, "Lowest right number", q.min, (v) => (q.min = v), { inputmode: "decimal" }),
            field(`${q._k}:max`, "Highest right number", q.max, (v) => (q.max = v), { inputmode: "decimal" }),
          ]
        : [
            field(`${q._k}:answer`, "Right number", q.answer, (v) => (q.answer = v), { inputmode: "decimal" }),
            field(`${q._k}:tolerance`, "Tolerance (give or take)", q.tolerance, (v) => (q.tolerance = v), { inputmode: "decimal", hint: "Empty or 0: exactly" }),
          ];
      const set = group(
        `${q._k}:numeric`,
        "The right answer",
        h(
          "div",
          { class: "qe-choice-of", role: "radiogroup", "aria-label": "Form of the answer" },
          check(`${q._k}:form-answer`, "A number, give or take a tolerance", !q._range, form(false), { radio: true, name }),
          check(`${q._k}:form-range`, "Any number from a lowest to a highest", !!q._range, form(true), { radio: true, name }),
        ),
        fields,
        field(`${q._k}:unit`, "Unit (optional, e.g. km or %)", q.unit, (v) => (q.unit = v)),
      );
      registry.set(`${q._k}:self`, registry.get(`${q._k}:numeric`)); // "'min' is more than 'max'"
      return set;
    }
  }

  // ------------------------------------------------------------------ mounting
  async function start(place, life) {
    const blockId = place.dataset.blockId;
    place.replaceChildren(h("p", { class: "qe-state", role: "status", text: "Loading the quiz…" }));
    const answer = await core.api("GET", `blocks/${encodeURIComponent(blockId)}`);
    if (life.disposed) return;
    const block = answer.ok ? answer.body.block : null;
    if (!block || block.type !== "quiz") {
      const why = answer.ok ? `block ${blockId} is not a quiz` : answer.body.detail || `the editor answered ${answer.status}`;
      place.replaceChildren(
        h("p", { class: "qe-problem", role: "alert", text: `The quiz could not be loaded: ${why}.` }),
        h("button", { type: "button", text: "Try again", onclick: () => start(place, life) }),
      );
      return;
    }
    if (course.dataset.editable === "false") place.replaceChildren(summaryView(block));
    else editor(place, blockId, answer.body, life);
  }

  function mountAll(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const places = [...scope.querySelectorAll(".quiz-editor[data-block-id]")];
    if (scope.matches && scope.matches(".quiz-editor[data-block-id]")) places.push(scope);
    for (const place of places) {
      if (editors.has(place)) continue;
      const life = {
        disposed: false,
        saver: null,
        dispose() {
          life.disposed = true;
          if (life.saver) {
            if (life.saver.pending) life.saver.flush();
            life.saver.dispose();
          }
        },
      };
      editors.set(place, life);
      start(place, life);
    }
    for (const [place, life] of editors) {
      if (!place.isConnected) {
        life.dispose();
        editors.delete(place);
      }
    }
  }

  document.addEventListener("courseforge:blocks-rendered", (event) => mountAll(event.detail && event.detail.root));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll(document));
  else mountAll(document);
})();
