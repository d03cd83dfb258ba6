// Captions of a video card, and of a narration card playing a recording (with its transcript): the
// cues as rows of start, end and text edited in place; cues added, split and deleted; times typed
// as mm:ss.mmm and checked as they are typed (a time the editor cannot read, an end not after its
// start, a cue with no text: marked at the field; a cue starting before the one above ends: a
// warning). Saved as a new revision of the block's captions file, which the server checks again
// with the media pipeline's WebVTT check; its problems are shown at their fields. Playing the
// video or recording highlights the cue being shown, and "Set start to now" takes its time.
"use strict";

(function () {
  const root = document.getElementById("course");
  const host = document.getElementById("page-editor");
  const E = window.courseEditor;
  const cf = window.courseforge;
  if (!root || !host || !E || !cf) return;
  const { el } = E;
  const editable = root.dataset.editable === "true";
  const TIME = /^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})\.(\d{3})$/;
  const NEW_CUE_MS = 2000;
  const panels = new Map(); // block id -> panel

  /** Milliseconds of a typed [h:]mm:ss.mmm time, or null. */
  function parseTime(text) {
    const found = TIME.exec(String(text).trim());
    if (!found) return null;
    const [hours, minutes, seconds, millis] = found.slice(1).map((part) => Number(part || 0));
    if (seconds > 59 || (found[1] !== undefined && minutes > 59)) return null;
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
  }

  function showTime(ms) {
    const pad = (n, width = 2) => String(n).padStart(width, "0");
    const hours = Math.floor(ms / 3600000);
    const minutes = Math.floor((ms % 3600000) / 60000);
    const seconds = Math.floor((ms % 60000) / 1000);
    const clock = `${pad(minutes)}:${pad(seconds)}.${pad(Math.round(ms % 1000), 3)}`;
    return hours ? `${hours}:${clock}` : clock;
  }

  const TIME_HINT = "write the time as mm:ss.mmm, e.g. 01:05.250";

  // ------------------------------------------------------------------ the panel
  function makePanel(blockId, kind) {
    const id = `captions-${blockId.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const toggle = el("button", { type: "button", class: "captions-toggle", "aria-expanded": "false", "aria-controls": id, text: editable ? "Edit captions" : "Show captions" });
    const media = el(kind === "video" ? "video" : "audio", { controls: true, preload: "metadata", "aria-label": kind === "video" ? "The video" : "The recording" });
    const body = el("tbody");
    const table = el(
      "table",
      { class: "cue-table" },
      el("caption", { text: "Cues" }),
      el("thead", {}, el("tr", {}, ...["#", "Start", "End", "Text", "Actions"].map((name) => el("th", { scope: "col", text: name })))),
      body,
    );
    const add = el("button", { type: "button", text: "Add cue", hidden: !editable });
    const save = el("button", { type: "button", class: "save-captions", text: "Save captions", hidden: !editable });
    const status = el("p", { class: "captions-status", role: "status", "aria-live": "polite" });
    const transcript = kind === "recording" ? el("textarea", { id: `${id}-transcript`, rows: "3", readonly: !editable }) : null;
    const node = el(
      "section",
      { class: "captions-editor", id, hidden: true, "aria-label": "Captions" },
      media,
      table,
      el("div", { class: "captions-actions" }, add, save),
      transcript ? el("div", { class: "captions-transcript" }, el("label", { for: transcript.id, text: "Transcript (shown to learners)" }), transcript) : null,
      status,
    );
    const panel = { blockId, kind, id, toggle, node, media, body, status, transcript, rows: [], base: 0, loaded: false, saving: false };
    toggle.addEventListener("click", () => open(panel, toggle.getAttribute("aria-expanded") !== "true"));
    add.addEventListener("click", () => {
      const last = panel.rows[panel.rows.length - 1];
      const lastEnd = last ? parseTime(last.end.value) : null;
      const start = lastEnd ?? Math.round((panel.media.currentTime || 0) * 1000);
      const row = addRow(panel, { start: showTime(start), end: showTime(start + NEW_CUE_MS), text: "" }, panel.rows.length);
      checkAll(panel);
      row.text.focus();
    });
    save.addEventListener("click", () => store(panel));
    media.addEventListener("timeupdate", () => highlight(panel));
    media.addEventListener("seeked", () => highlight(panel));
    return panel;
  }

  async function open(panel, expanded) {
    panel.toggle.setAttribute("aria-expanded", String(expanded));
    panel.node.hidden = !expanded;
    if (expanded && !panel.loaded) await load(panel);
  }

  function say(panel, text, kind = "") {
    panel.status.textContent = text;
    panel.status.dataset.kind = kind;
  }

  async function load(panel) {
    say(panel, "Loading the captions…");
    const result = await cf.api("GET", `blocks/${encodeURIComponent(panel.blockId)}/captions`);
    if (!result.ok) {
      say(panel, `The captions could not be loaded: ${E.problemText(result)}`, "error");
      return;
    }
    panel.loaded = true;
    panel.base = result.body.revision;
    if (panel.media.getAttribute("src") !== result.body.media_url) panel.media.src = result.body.media_url;
    if (panel.transcript) panel.transcript.value = result.body.transcript || "";
    panel.body.replaceChildren();
    panel.rows = [];
    result.body.cues.forEach((cue, index) => addRow(panel, cue, index));
    checkAll(panel);
    const where = result.body.path ? `from ${result.body.path}` : "none yet: saving makes the file";
    say(panel, `${result.body.cues.length} cue${result.body.cues.length === 1 ? "" : "s"} (${where}).`);
  }

  // ------------------------------------------------------------------ rows
  function field(panel, name, label, value, multiline) {
    const id = `${panel.id}-${name}-${Math.random().toString(36).slice(2, 8)}`;
    const message = el("p", { class: "field-message", id: `${id}-message` });
    const input = multiline
      ? el("textarea", { id, rows: "2", value, "aria-describedby": message.id, readonly: !editable })
      : el("input", { id, type: "text", value, inputmode: "decimal", size: "10", spellcheck: "false", "aria-describedby": message.id, readonly: !editable });
    const labelNode = el("label", { for: id, class: "visually-hidden", text: label });
    return { input, message, cell: el("td", {}, labelNode, input, message), labelNode };
  }

  function addRow(panel, cue, index) {
    const row = { node: el("tr", { class: "cue-row" }) };
    const number = el("th", { scope: "row" });
    const start = field(panel, "start", "", cue.start, false);
    const end = field(panel, "end", "", cue.end, false);
    const text = field(panel, "text", "", cue.text, true);
    const warning = el("p", { class: "cue-warning", id: `${start.input.id}-warning` });
    start.cell.append(warning);
    start.input.setAttribute("aria-describedby", `${start.message.id} ${warning.id}`);
    const now = el("button", { type: "button", text: "Set start to now" });
    const split = el("button", { type: "button", text: "Split" });
    const remove = el("button", { type: "button", text: "Delete" });
    const actions = el("td", { class: "cue-actions" }, ...(editable ? [now, split, remove] : []));
    row.node.append(number, start.cell, end.cell, text.cell, actions);
    Object.assign(row, { number, start: start.input, end: end.input, text: text.input, fields: { start, end, text }, warning, now, split, remove });
    for (const input of [row.start, row.end, row.text]) input.addEventListener("input", () => checkAll(panel));
    now.addEventListener("click", () => {
      row.start.value = showTime(Math.round(panel.media.currentTime * 1000));
      checkAll(panel);
      row.start.focus();
    });
    split.addEventListener("click", () => splitRow(panel, row));
    remove.addEventListener("click", () => {
      const at = panel.rows.indexOf(row);
      panel.rows.splice(at, 1);
      row.node.remove();
      checkAll(panel);
      const next = panel.rows[Math.min(at, panel.rows.length - 1)];
      say(panel, `Cue ${at + 1} deleted.`);
      if (next) next.start.focus();
    });
    panel.rows.splice(index, 0, row);
    panel.body.insertBefore(row.node, panel.body.children[index] || null);
    return row;
  }

  /** Two cues from one: at the playing time when it falls inside the cue, else halfway; the
   * text split at the space nearest its middle. */
  function splitRow(panel, row) {
    const start = parseTime(row.start.value);
    const end = parseTime(row.end.value);
    if (start === null || end === null || end - start < 2) {
      say(panel, "Fix this cue's times before splitting it.", "error");
      return;
    }
    const playing = Math.round(panel.media.currentTime * 1000);
    const at = playing > start && playing < end ? playing : Math.round((start + end) / 2);
    const words = row.text.value;
    const middle = Math.floor(words.length / 2);
    const spaces = [...words.matchAll(/\s+/g)].map((m) => m.index);
    const cut = spaces.length ? spaces.reduce((best, i) => (Math.abs(i - middle) < Math.abs(best - middle) ? i : best)) : words.length;
    row.end.value = showTime(at);
    row.text.value = words.slice(0, cut).trim();
    const index = panel.rows.indexOf(row) + 1;
    const added = addRow(panel, { start: showTime(at), end: showTime(end), text: words.slice(cut).trim() }, index);
    checkAll(panel);
    say(panel, `Cue ${index} split at ${showTime(at)}.`);
    added.start.focus();
  }

  function mark(fieldParts, text) {
    fieldParts.message.textContent = text || "";
    if (text) fieldParts.input.setAttribute("aria-invalid", "true");
    else fieldParts.input.removeAttribute("aria-invalid");
  }

  /** Every row checked as the server will check it; returns whether all can be saved. */
  function checkAll(panel) {
    let ok = true;
    let previousEnd = null;
    panel.rows.forEach((row, index) => {
      const n = index + 1;
      row.number.textContent = String(n);
      row.fields.start.labelNode.textContent = `Start of cue ${n}`;
      row.fields.end.labelNode.textContent = `End of cue ${n}`;
      row.fields.text.labelNode.textContent = `Text of cue ${n}`;
      row.now.setAttribute("aria-label", `Set start to now (cue ${n})`);
      row.split.setAttribute("aria-label", `Split cue ${n}`);
      row.remove.setAttribute("aria-label", `Delete cue ${n}`);
      const start = parseTime(row.start.value);
      const end = parseTime(row.end.value);
      mark(row.fields.start, start === null ? TIME_HINT : "");
      mark(row.fields.end, end === null ? TIME_HINT : start !== null && end <= start ? `must be after the start (${showTime(start)})` : "");
      const text = row.text.value.trim();
      mark(row.fields.text, !text ? "a cue needs some text" : /\n\s*\n/.test(text) ? "a cue's text cannot hold an empty line" : "");
      row.warning.textContent = start !== null && previousEnd !== null && start < previousEnd ? `starts before cue ${index} ends (${showTime(previousEnd)}); both show at once` : "";
      if (start === null || end === null || end <= start || !text || /\n\s*\n/.test(text)) ok = false;
      if (end !== null) previousEnd = end;
    });
    return ok;
  }

  function highlight(panel) {
    const t = panel.media.currentTime * 1000;
    for (const row of panel.rows) {
      const start = parseTime(row.start.value);
      const end = parseTime(row.end.value);
      const current = start !== null && end !== null && start <= t && t < end;
      row.node.classList.toggle("current", current);
      if (current) row.node.setAttribute("aria-current", "true");
      else row.node.removeAttribute("aria-current");
    }
  }

  // ------------------------------------------------------------------ saving
  async function store(panel) {
    if (panel.saving) return;
    if (!checkAll(panel)) {
      const first = panel.node.querySelector('[aria-invalid="true"]');
      say(panel, "Not saved: fix the marked fields first.", "error");
      if (first) first.focus();
      return;
    }
    panel.saving = true;
    say(panel, "Saving the captions…");
    const body = {
      base_revision: panel.base,
      cues: panel.rows.map((row) => ({ start: row.start.value.trim(), end: row.end.value.trim(), text: row.text.value })),
    };
    if (panel.transcript) body.transcript = panel.transcript.value;
    const result = await cf.api("PUT", `blocks/${encodeURIComponent(panel.blockId)}/captions`, body);
    panel.saving = false;
    if (result.ok) {
      panel.base = result.body.revision;
      const block = E.locate("block", panel.blockId)?.item;
      if (block) block.captions = result.body.path;
      const warned = result.body.warnings.length ? ` ${result.body.warnings.length} warning${result.body.warnings.length === 1 ? "" : "s"}: cues that overlap.` : "";
      say(panel, result.body.saved ? `Saved as revision ${result.body.revision} (${result.body.path}).${warned}` : "Nothing changed.", "done");
      return;
    }
    for (const problem of result.body.problems || []) {
      const found = /^cues\[(\d+)\]\.(start|end|text)$/.exec(problem.field);
      const row = found && panel.rows[Number(found[1])];
      if (row) mark(row.fields[found[2]], problem.message);
    }
    if (result.status === 409) say(panel, "Not saved: someone else changed these captions meanwhile. Copy what you need, then close and open them again.", "error");
    else say(panel, `Not saved: ${E.problemText(result)}`, "error");
    if (result.status === 409) panel.loaded = false;
  }

  // ------------------------------------------------------------------ mounting
  function kindOf(block) {
    if (!block) return null;
    if (block.type === "video") return "video";
    if (block.type === "narration" && typeof block.src === "string") return "recording";
    return null;
  }

  function mount(where) {
    for (const card of where.querySelectorAll(".card.block-video[data-id], .card.block-narration[data-id]")) {
      const kind = kindOf(E.locate("block", card.dataset.id)?.item);
      let panel = panels.get(card.dataset.id);
      if (panel && panel.kind !== kind) {
        panel.toggle.remove();
        panel.node.remove();
        panels.delete(card.dataset.id);
        panel = null;
      }
      if (!kind) continue;
      if (!panel) {
        panel = makePanel(card.dataset.id, kind);
        panels.set(card.dataset.id, panel);
      }
      const body = card.querySelector(".card-body");
      if (body && panel.node.parentNode !== body) body.append(panel.toggle, panel.node);
    }
  }

  document.addEventListener("courseforge:blocks-rendered", (event) => mount((event.detail && event.detail.root) || host));
  mount(host);
})();
