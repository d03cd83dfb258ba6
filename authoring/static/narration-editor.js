// Voice-over on a narration card spoken from its script: the script edited in place (saved as the
// author types, like every block), "Generate voice-over" running the speech job a build runs (so
// the build then finds it in the cache), its status followed (queued, speaking with its percent,
// done, or the pipeline's message), then the audio to play with its captions track and the list of
// its cues. Editing the script marks the voice-over out of date. Status is read out (aria-live).
"use strict";

(function () {
  const root = document.getElementById("course");
  const host = document.getElementById("page-editor");
  const E = window.courseEditor;
  const cf = window.courseforge;
  if (!root || !host || !E || !cf) return;
  const { el } = E;
  const editable = root.dataset.editable === "true";
  const POLL_MS = 400;
  const panels = new Map(); // block id -> panel, kept while the page is drawn again

  const wait = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));
  const blockOf = (id) => E.locate("block", id)?.item || null;

  function makePanel(blockId) {
    const id = `narration-${blockId.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const block = blockOf(blockId) || {};
    const message = el("p", { class: "field-message", id: `${id}-script-message` });
    const hint = el("p", { class: "field-hint", id: `${id}-script-hint`, text: "Each sentence becomes one caption; a line break starts a new one." });
    const script = el("textarea", {
      id: `${id}-script`,
      rows: "4",
      value: block.script || "",
      "aria-describedby": `${hint.id} ${message.id}`,
      readonly: !editable,
    });
    const saveState = el("p", { class: "save-state", role: "status", "aria-live": "polite" });
    const conflict = el("div", { class: "conflict", role: "group", "aria-label": "Two versions of the script", hidden: true });
    const generate = el("button", { type: "button", class: "generate-voice-over", text: "Generate voice-over", hidden: !editable });
    const status = el("p", { class: "voice-status", id: `${id}-status`, role: "status", "aria-live": "polite" });
    const progressLabel = el("label", { for: `${id}-progress`, text: "Speaking the script" });
    const progress = el("progress", { id: `${id}-progress`, max: "100", value: "0" });
    const bar = el("div", { class: "voice-progress", hidden: true }, progressLabel, progress);
    const audio = el("audio", { controls: true, preload: "metadata", "aria-label": "Voice-over" });
    const cues = el("ol", { class: "cue-list", "aria-label": "Captions of the voice-over" });
    const preview = el("div", { class: "voice-preview", hidden: true }, audio, el("h4", { text: "Captions" }), cues);
    const node = el(
      "section",
      { class: "narration-editor", "aria-label": "Script and voice-over" },
      el("label", { for: script.id, text: "Script" }),
      script,
      hint,
      message,
      saveState,
      conflict,
      el("div", { class: "voice-actions" }, generate),
      bar,
      status,
      preview,
    );
    const panel = { blockId, node, script, message, saveState, conflict, generate, status, bar, progress, audio, cues, preview, shown: null, spoken: null, busy: false };
    panel.saver = editable ? scriptSaver(panel) : null;
    if (panel.saver) {
      const restored = panel.saver.restore(block.script || "");
      if (restored !== null) script.value = restored;
    }
    script.addEventListener("input", () => {
      if (panel.saver) panel.saver.change(script.value);
      markStale(panel);
    });
    generate.addEventListener("click", () => run(panel));
    return panel;
  }

  function invalid(panel, text) {
    panel.message.textContent = text || "";
    if (text) panel.script.setAttribute("aria-invalid", "true");
    else panel.script.removeAttribute("aria-invalid");
  }

  /** The script saved as the author types: the block as it is, with the new script. */
  function scriptSaver(panel) {
    const saver = cf.saver({
      key: `narration:${panel.blockId}`,
      base: cf.head,
      send: (value, base, options) => {
        const block = { ...(blockOf(panel.blockId) || { type: "narration", id: panel.blockId }), script: value };
        return cf.api("PUT", `blocks/${encodeURIComponent(panel.blockId)}`, { base_revision: base, block }, options);
      },
      on: {
        state(text, kind) {
          panel.saveState.textContent = `Script: ${text}`;
          panel.saveState.dataset.kind = kind;
        },
        saved(body, value) {
          invalid(panel, "");
          const block = blockOf(panel.blockId);
          if (block) block.script = value;
        },
        invalid(body) {
          const problem = (body.problems || []).find((p) => /script$/.test(p.field));
          invalid(panel, problem ? problem.message : body.detail);
        },
        conflict(body, value) {
          const theirs = body.conflicts && body.conflicts[0] && body.conflicts[0].theirs;
          const theirScript = theirs && typeof theirs.script === "string" ? theirs.script : "";
          E.conflictBox(panel.conflict, {
            mine: value,
            theirs: theirScript,
            head: body.head_revision,
            onKeep: () => {
              saver.rebase(body.head_revision);
              saver.flush();
            },
            onTake: () => {
              panel.script.value = theirScript;
              saver.discard(body.head_revision);
              markStale(panel);
            },
          });
        },
      },
    });
    return saver;
  }

  function say(panel, text, kind = "") {
    panel.status.textContent = text;
    panel.status.dataset.kind = kind;
  }

  /** The shown voice-over is out of date once the script differs from the one it was made of
   * (`spoken`: the text sent, or for one made earlier the saved script it was made of; null when
   * it was made of another). */
  function markStale(panel) {
    if (!panel.shown) return;
    const stale = panel.spoken === null || panel.script.value !== panel.spoken;
    panel.preview.dataset.stale = String(stale);
    if (stale) say(panel, "The script changed since this voice-over was made: generate it again to hear it.", "stale");
    else say(panel, doneText(panel.shown), "done");
  }

  const doneText = (job) => `Voice-over ready: ${Number(job.duration || 0).toFixed(1)} s, ${job.cues.length} caption${job.cues.length === 1 ? "" : "s"}.`;

  function show(panel, job) {
    panel.shown = job;
    panel.preview.hidden = false;
    const language = (E.state.doc && E.state.doc.language) || "en";
    panel.audio.replaceChildren(el("track", { kind: "captions", src: job.captions_url, srclang: language, label: "Captions", default: true }));
    panel.audio.src = job.audio_url;
    panel.audio.load();
    panel.cues.replaceChildren(
      ...job.cues.map((cue) =>
        el("li", {}, el("span", { class: "cue-time", text: `${cue.start}–${cue.end}` }), " ", el("span", { class: "cue-text", text: cue.text })),
      ),
    );
  }

  /** Follow a job until it ends; the voice-over is shown when done. */
  async function follow(panel, job) {
    for (;;) {
      if (job.status === "queued") {
        panel.bar.hidden = false;
        panel.progress.value = 0;
        say(panel, "Voice-over queued…");
      } else if (job.status === "running") {
        panel.bar.hidden = false;
        panel.progress.value = job.percent;
        say(panel, `Speaking the script: ${job.percent} %.`);
      } else if (job.status === "done") {
        panel.bar.hidden = true;
        show(panel, job);
        say(panel, doneText(job), "done");
        markStale(panel);
        return;
      } else {
        panel.bar.hidden = true;
        say(panel, job.message || `The voice-over could not be made (${job.status}).`, "error");
        return;
      }
      await wait(POLL_MS);
      const now = await cf.api("GET", job.url);
      if (now.ok) job = now.body;
    }
  }

  async function run(panel) {
    if (panel.busy) return;
    panel.busy = true;
    panel.generate.disabled = true;
    try {
      if (panel.saver && panel.saver.pending) await panel.saver.flush();
      say(panel, "Asking for the voice-over…");
      const sent = panel.script.value;
      const started = await cf.api("POST", `blocks/${encodeURIComponent(panel.blockId)}/voice-over`, { script: sent });
      if (!started.ok) {
        if (started.body.field === "script") invalid(panel, started.body.detail.replace(/^script: /, ""));
        say(panel, `No voice-over: ${E.problemText(started)}`, "error");
        return;
      }
      invalid(panel, "");
      panel.spoken = sent;
      await follow(panel, started.body);
    } finally {
      panel.busy = false;
      panel.generate.disabled = false;
    }
  }

  /** The block's latest voice-over, made before this page was opened (or in another tab). */
  async function resume(panel) {
    const latest = await cf.api("GET", `blocks/${encodeURIComponent(panel.blockId)}/voice-over`);
    if (!latest.ok || panel.busy) return;
    const saved = blockOf(panel.blockId)?.script;
    panel.spoken = latest.body.stale === false && typeof saved === "string" ? saved : null;
    panel.busy = true;
    try {
      await follow(panel, latest.body);
    } finally {
      panel.busy = false;
    }
  }

  function mount(where) {
    for (const card of where.querySelectorAll(".card.block-narration[data-id]")) {
      const block = blockOf(card.dataset.id);
      if (!block || typeof block.script !== "string") continue;
      let panel = panels.get(card.dataset.id);
      if (!panel) {
        panel = makePanel(card.dataset.id);
        panels.set(card.dataset.id, panel);
        resume(panel);
      }
      const body = card.querySelector(".card-body");
      if (!body || panel.node.parentNode === body) continue;
      for (const quoted of body.querySelectorAll("blockquote.script")) quoted.hidden = true; // the field shows it
      body.append(panel.node);
    }
  }

  document.addEventListener("courseforge:blocks-rendered", (event) => mount((event.detail && event.detail.root) || host));
  mount(host);
})();
