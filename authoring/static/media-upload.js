// Media files into blocks: a video, image and narration card gets a file picker and a drop zone,
// and the end of the page one that adds a new video, narration or image block. A file is sent in
// chunks (the size the server asks for) with a progress bar; when the connection drops, the server
// is asked how much it has and the upload goes on from there, and a file picked again after a
// reload goes on where it stopped. Then the server's checks and the media job are followed:
// queued, transcoding with its percent, done (the page is drawn again from the new revision), or
// the pipeline's message on that block. Status text is read out (an aria-live region).
"use strict";

(function () {
  const root = document.getElementById("course");
  const host = document.getElementById("page-editor");
  const E = window.courseEditor;
  const cf = window.courseforge;
  if (!root || !host || !E || !cf || root.dataset.editable !== "true") return;
  const { el } = E;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const uploadsUrl = `${root.dataset.api}/uploads`;
  const storeKey = (key) => `courseforge:${root.dataset.courseId}:upload:${key}`;
  const POLL_MS = 400;
  const RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000];
  const EXTENSIONS = {
    video: [".mp4", ".mov", ".m4v", ".webm", ".mkv"],
    audio: [".mp3", ".m4a", ".aac", ".wav", ".ogg", ".opus", ".flac"],
    image: [".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"],
    captions: [".vtt"],
  };
  /** What a block of each type takes, and how its picker is labelled. */
  const TAKES = {
    video: { kinds: ["video", "captions", "image"], label: "Replace the video, or add captions (WebVTT) or a poster image" },
    narration: { kinds: ["audio", "captions"], label: "Upload a recording, or its captions (WebVTT)" },
    image: { kinds: ["image"], label: "Replace the image" },
  };
  const NEW_BLOCK = { kinds: ["video", "audio", "image"], label: "Add a video, recording or image as a new block" };
  const panels = new Map(); // block id, or "page:<id>" -> panel (kept while the page is redrawn)
  let known = null; // the course's latest uploads, asked for once: a job still running is followed

  const wait = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));
  const percentOf = (part, whole) => (whole ? Math.floor((part * 100) / whole) : 100);

  /** The kind of a file for a block taking `kinds`: by its extension (the server checks its bytes). */
  function kindOf(name, kinds) {
    const dot = name.lastIndexOf(".");
    const extension = dot < 0 ? "" : name.slice(dot).toLowerCase();
    return kinds.find((kind) => EXTENSIONS[kind].includes(extension)) || kinds[0];
  }

  // ------------------------------------------------------------------ one panel
  function makePanel(key, takes, target) {
    const id = `upload-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const status = el("p", { class: "upload-status", id: `${id}-status`, role: "status", "aria-live": "polite" });
    const input = el("input", {
      type: "file",
      id,
      accept: takes.kinds.flatMap((kind) => EXTENSIONS[kind]).join(","),
      "aria-describedby": status.id,
    });
    const alt = target.pageId
      ? el("input", { type: "text", id: `${id}-alt`, "aria-describedby": `${id}-alt-hint` })
      : null;
    const progressLabel = el("label", { for: `${id}-progress` });
    const progress = el("progress", { id: `${id}-progress`, max: "100", value: "0" });
    const bar = el("div", { class: "upload-progress", hidden: true }, progressLabel, progress);
    const zone = el(
      "div",
      { class: "drop-zone" },
      el("label", { for: id, text: takes.label }),
      input,
      el("p", { class: "drop-hint", "aria-hidden": "true", text: "or drop a file here" }),
    );
    const node = el(
      "div",
      { class: "media-upload", dataset: { upload: key } },
      zone,
      alt
        ? el(
            "div",
            { class: "upload-alt" },
            el("label", { for: alt.id, text: "Alt text for a new image" }),
            alt,
            el("p", { class: "field-hint", id: `${id}-alt-hint`, text: "What the image shows; needed for an image." }),
          )
        : null,
      bar,
      status,
    );
    const panel = { key, node, takes, target, input, alt, bar, progress, progressLabel, status, busy: false };
    input.addEventListener("change", () => {
      if (input.files && input.files[0]) start(panel, input.files[0]);
      input.value = "";
    });
    node.addEventListener("dragover", (event) => {
      event.preventDefault();
      node.classList.add("dragover");
    });
    node.addEventListener("dragleave", () => node.classList.remove("dragover"));
    node.addEventListener("drop", (event) => {
      event.preventDefault();
      node.classList.remove("dragover");
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) start(panel, file);
    });
    return panel;
  }

  function say(panel, text, kind = "") {
    panel.status.textContent = text;
    panel.status.dataset.kind = kind;
  }

  function showBar(panel, label, percent) {
    panel.bar.hidden = false;
    panel.progressLabel.textContent = label;
    panel.progress.value = percent;
  }

  // ------------------------------------------------------------------ sending
  /** One chunk, by XMLHttpRequest for its upload progress. Never rejects: a dropped connection
   * is `{ok: false, status: 0}`. */
  function putChunk(url, blob, offset, total, onSent) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      // No bytes left (all arrived, the check did not run): a chunk of none at the end finishes it.
      if (blob.size) xhr.setRequestHeader("Content-Range", `bytes ${offset}-${offset + blob.size - 1}/${total}`);
      else xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.upload.onprogress = (event) => onSent(offset + event.loaded);
      xhr.onload = () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch (error) {
          body = {};
        }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, body });
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = () => resolve({ ok: false, status: 0, body: {} });
      xhr.send(blob);
    });
  }

  /** The upload to send `file` into: the one begun for this very file before (a reload, a
   * closed tab) while it still takes bytes, else a new one. */
  async function begin(panel, file, kind) {
    const remembered = JSON.parse(window.localStorage.getItem(storeKey(panel.key)) || "null");
    if (remembered && remembered.name === file.name && remembered.size === file.size && remembered.modified === file.lastModified) {
      const found = await cf.api("GET", remembered.url);
      if (found.ok && found.body.status === "receiving") return found;
    }
    const body = { name: file.name, size: file.size, kind };
    if (panel.target.blockId) body.block_id = panel.target.blockId;
    else {
      body.page_id = panel.target.pageId;
      const blocks = (E.locate("page", panel.target.pageId)?.item.blocks || []);
      if (blocks.length) body.after = blocks[blocks.length - 1].id;
      if (kind === "image" && panel.alt.value.trim()) body.alt = panel.alt.value.trim();
    }
    const begun = await cf.api("POST", uploadsUrl, body);
    if (begun.ok) {
      const memo = { url: begun.body.url, name: file.name, size: file.size, modified: file.lastModified };
      window.localStorage.setItem(storeKey(panel.key), JSON.stringify(memo));
    }
    return begun;
  }

  /** Run `work` on the panel unless something runs there already. */
  async function busy(panel, work) {
    if (panel.busy) return false;
    panel.busy = true;
    try {
      await work();
    } finally {
      panel.busy = false;
    }
    return true;
  }

  async function start(panel, file) {
    const started = await busy(panel, () => upload(panel, file));
    if (!started) say(panel, "An upload into this block is still going on; wait for it to finish.", "error");
  }

  /** A media job begun earlier (before a reload, or in another tab), followed on its block. */
  function resume(panel, uploads) {
    const running = uploads.find((one) => one.block === panel.target.blockId && ["queued", "running"].includes(one.status));
    if (running) busy(panel, () => follow(panel, running));
  }

  async function upload(panel, file) {
    const kind = kindOf(file.name, panel.takes.kinds);
    say(panel, `Starting the upload of ${file.name}…`);
    const begun = await begin(panel, file, kind);
    if (!begun.ok) {
      // A refused empty file is checked at once: its answer is the pipeline's message.
      say(panel, begun.body.upload ? begun.body.detail : `${file.name} was not uploaded: ${E.problemText(begun)}`, "error");
      return;
    }
    let state = begun.body;
    if (state.status === "receiving") {
      const sent = await send(panel, file, state);
      if (!sent.ok) {
        forget(panel);
        const refused = sent.body && sent.body.upload;
        say(panel, refused ? sent.body.detail : `${file.name} was not uploaded: ${E.problemText(sent)}`, "error");
        panel.bar.hidden = true;
        return;
      }
      state = sent.body;
    }
    forget(panel);
    await follow(panel, state);
  }

  function forget(panel) {
    window.localStorage.removeItem(storeKey(panel.key));
  }

  /** Every chunk from the server's offset; after a dropped connection (or a server that did not
   * answer) it waits, asks the server how far it got, and goes on from there. */
  async function send(panel, file, state) {
    let offset = state.offset;
    let tries = 0;
    const label = `Uploading ${file.name}`;
    if (offset > 0) say(panel, `Going on with ${file.name} from ${percentOf(offset, file.size)} %.`);
    showBar(panel, label, percentOf(offset, file.size));
    for (;;) {
      const end = Math.min(offset + state.chunk_size, file.size);
      const result = await putChunk(state.url, file.slice(offset, end), offset, file.size, (sent) =>
        showBar(panel, label, percentOf(sent, file.size)),
      );
      if (result.ok) {
        tries = 0;
        offset = result.body.offset;
        showBar(panel, label, percentOf(offset, file.size));
        if (offset >= file.size) return result;
        continue;
      }
      if (result.status === 409 && result.body.field === "offset" && typeof result.body.offset === "number") {
        offset = result.body.offset; // another tab or a lost answer moved it on: go on from the server's
        continue;
      }
      if (result.status !== 0 && result.status < 500) return result; // refused: said as the server says it
      const delay = RETRY_MS[Math.min(tries, RETRY_MS.length - 1)];
      tries += 1;
      say(panel, `The connection was lost at ${percentOf(offset, file.size)} %; the upload goes on when it is back.`, "error");
      await wait(delay);
      const now = await cf.api("GET", state.url);
      if (!now.ok) continue;
      if (now.body.status !== "receiving") return { ok: now.body.status !== "refused", status: 200, body: now.body };
      offset = now.body.offset;
      say(panel, `Connected again: going on from ${percentOf(offset, file.size)} %.`);
    }
  }

  /** The checks and the media job, until they end. */
  async function follow(panel, state) {
    const name = state.name;
    for (;;) {
      if (state.status === "queued") {
        showBar(panel, `Waiting to transcode ${name}`, 0);
        say(panel, `${name} is in the course; it is queued for transcoding.`);
      } else if (state.status === "running") {
        showBar(panel, `Transcoding ${name}`, state.percent);
        say(panel, `Transcoding ${name}: ${state.percent} %.`);
      } else if (state.status === "done") {
        panel.bar.hidden = true;
        say(panel, `Done: ${name} is in the course as ${state.path}.`, "done");
        if (typeof state.revision === "number") cf.noteRevision(state.revision);
        await E.refresh();
        return;
      } else {
        panel.bar.hidden = true;
        say(panel, state.message || `${name} could not be used (${state.status}).`, "error");
        return;
      }
      await wait(POLL_MS);
      const now = await cf.api("GET", state.url);
      if (now.ok) state = now.body;
    }
  }

  // ------------------------------------------------------------------ placing the panels
  function panelFor(key, takes, target) {
    let panel = panels.get(key);
    if (!panel) {
      panel = makePanel(key, takes, target);
      panels.set(key, panel);
      if (known && target.blockId) resume(panel, known);
    }
    return panel;
  }

  function mount(where) {
    for (const card of where.querySelectorAll(".card.block[data-id]")) {
      const type = [...card.classList].find((name) => name.startsWith("block-"))?.slice("block-".length);
      const takes = TAKES[type];
      if (!takes) continue;
      const panel = panelFor(card.dataset.id, takes, { blockId: card.dataset.id });
      const body = card.querySelector(".card-body");
      if (body && panel.node.parentNode !== body) body.append(panel.node);
    }
    const end = where.querySelector(".page-end");
    const pageId = E.state.pageId;
    if (end && pageId) {
      const panel = panelFor(`page:${pageId}`, NEW_BLOCK, { pageId });
      if (panel.node.parentNode !== end) end.append(panel.node);
    }
  }

  document.addEventListener("courseforge:blocks-rendered", (event) => mount((event.detail && event.detail.root) || host));
  cf.api("GET", uploadsUrl).then((result) => {
    known = result.ok ? result.body.uploads : [];
    for (const panel of panels.values()) if (panel.target.blockId) resume(panel, known);
  });
  mount(host);
})();
