// The course page's shared state: the course document as last seen, the page being edited (kept
// in the URL hash so a reload opens it again), and the structure changes (add, move, delete,
// restore) that outline.js and blocks.js make through one queue. Changes made while offline wait
// in that queue and are sent, in order, when the connection returns. After every change the
// course is read again and each part of the page redrawn from it, keeping the keyboard focus
// where it was.
"use strict";

(function () {
  const root = document.getElementById("course");
  const dataNode = document.getElementById("course-data");
  if (!root || !dataNode || !window.courseforge) return;
  const cf = window.courseforge;
  const data = JSON.parse(dataNode.textContent);
  const UNDO_MS = 10000;
  const RETRY_OFFLINE_MS = 3000;
  const KINDS = { section: "Section", page: "Page", block: "Block" };

  const state = {
    doc: data.course,
    files: data.files,
    editable: data.editable === true,
    pageId: null,
    /** Text blocks' Markdown as last loaded or saved, the revision it was at, and its preview's
     * HTML once known (null until then). */
    texts: initialTexts(),
  };
  const renderers = [];

  /** Each text block's Markdown, from the document or (kept in a file) from `data.texts`; the
   * previews of the page the server drew are read from it, the others are asked for when shown. */
  function initialTexts() {
    const inFiles = new Map(Object.entries(data.texts));
    const drawn = new Map();
    for (const node of document.querySelectorAll("#page-editor [data-block-id] > .preview")) {
      drawn.set(node.parentElement.dataset.blockId, node.innerHTML); // rendered and cleaned (nh3) by the server
    }
    const texts = new Map();
    for (const section of data.course.sections || []) {
      for (const page of section.pages || []) {
        for (const block of page.blocks || []) {
          if (block.type !== "text") continue;
          const markdown = inFiles.has(block.id) ? inFiles.get(block.id) : block.markdown || "";
          texts.set(block.id, { markdown, html: drawn.has(block.id) ? drawn.get(block.id) : null, revision: data.revision });
        }
      }
    }
    return texts;
  }

  /** An element with properties, attributes and children; text always goes in as text. */
  const { el } = cf;

  const sections = () => state.doc.sections || [];

  /** Where an element is: its object, the list holding it, its index and its parent. */
  function locate(kind, id) {
    if (kind === "section") {
      const index = sections().findIndex((s) => s.id === id);
      return index < 0 ? null : { item: sections()[index], list: sections(), index, parent: null };
    }
    for (const section of sections()) {
      const pages = section.pages || [];
      if (kind === "page") {
        const index = pages.findIndex((p) => p.id === id);
        if (index >= 0) return { item: pages[index], list: pages, index, parent: section };
        continue;
      }
      for (const page of pages) {
        const blocks = page.blocks || [];
        const index = blocks.findIndex((b) => b.id === id);
        if (index >= 0) return { item: blocks[index], list: blocks, index, parent: page, section };
      }
    }
    return null;
  }

  function shorten(text, length = 40) {
    const line = String(text || "").split("\n").find((l) => l.trim()) || "";
    const plain = line.replace(/[#*_`>]/g, "").trim();
    return plain.length > length ? `${plain.slice(0, length - 1)}…` : plain;
  }

  /** How a section, page or block is named to the author (in buttons and announcements). */
  function labelOf(kind, item) {
    if (kind !== "block") return item.title;
    switch (item.type) {
      case "text": {
        const text = state.texts.get(item.id);
        const start = shorten(text ? text.markdown : item.markdown);
        return start ? `Text: ${start}` : "Text";
      }
      case "image":
        return `Image: ${item.src}`;
      case "quiz":
      case "video":
        return `${item.type === "quiz" ? "Quiz" : "Video"}: ${item.title}`;
      default:
        return "Narration";
    }
  }

  // ------------------------------------------------------------------ telling the author
  const announcer = document.getElementById("announce");
  /** Said by screen readers (a polite live region), not shown. */
  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  const toast = document.getElementById("toast");
  let toastTimer = null;
  /** A status shown for UNDO_MS, with buttons ({label, run}) such as Undo; returns its first button. */
  function notify(text, actions = []) {
    clearTimeout(toastTimer);
    const buttons = actions.map((action) =>
      el("button", {
        type: "button",
        text: action.label,
        onclick: () => {
          toast.hidden = true;
          action.run();
        },
      }),
    );
    toast.replaceChildren(el("span", { text }), ...buttons);
    toast.hidden = false;
    toastTimer = window.setTimeout(() => {
      toast.hidden = true;
    }, UNDO_MS);
    return buttons[0] || null;
  }

  /** Both versions after a 409, with "Keep mine" and "Take theirs"; nothing is lost either way. */
  function conflictBox(box, { mine, theirs, head, onKeep, onTake }) {
    const choose = (run) => () => {
      box.hidden = true;
      box.replaceChildren();
      run();
    };
    box.replaceChildren(
      el("p", {
        text: `Someone else changed this after you opened it (the course is now at revision ${head}). Nothing was overwritten: choose the version to keep.`,
      }),
      el("p", { class: "version-label", text: "Your version" }),
      el("pre", { class: "mine", text: mine }),
      el("p", { class: "version-label", text: `Their version (revision ${head})` }),
      el("pre", { class: "theirs", text: theirs }),
      el(
        "p",
        { class: "conflict-actions" },
        el("button", { type: "button", text: "Keep mine", onclick: choose(onKeep) }),
        el("button", { type: "button", text: "Take theirs", onclick: choose(onTake) }),
      ),
    );
    box.hidden = false;
  }

  // ------------------------------------------------------------------ drawing
  function onRender(render) {
    renderers.push(render);
  }

  /** Redraw every part; when that took the focus away, give it back to the control that had it
   * (found again by its data-focus). */
  function render() {
    const active = document.activeElement;
    const key = active && active.closest ? active.closest("[data-focus]")?.dataset.focus : null;
    if (!locate("page", state.pageId)) state.pageId = firstPageId();
    for (const one of renderers) one();
    const lost = !document.activeElement || document.activeElement === document.body;
    if (key && lost) focusKey(key);
  }

  function focusKey(key) {
    const node = root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (node && document.activeElement !== node) node.focus();
    return node;
  }

  const firstPageId = () => sections().flatMap((s) => s.pages || [])[0]?.id || null;

  function pageFromHash() {
    const found = /^#page=(.+)$/.exec(window.location.hash);
    return found ? decodeURIComponent(found[1]) : null;
  }

  /** Open a page for editing; its id goes into the URL so a reload opens it again. */
  function select(pageId) {
    state.pageId = pageId;
    const hash = `#page=${encodeURIComponent(pageId)}`;
    if (window.location.hash !== hash) window.history.replaceState(null, "", hash);
    render();
  }

  /** The course as the server has it now (other authors' changes included), then redraw. */
  async function refresh() {
    const result = await cf.api("GET", root.dataset.api); // the course itself: an absolute path
    if (result.ok) {
      state.doc = result.body.course;
      state.files = result.body.files;
    }
    render();
    return result.ok;
  }

  // ------------------------------------------------------------------ structure changes
  let queue = Promise.resolve();

  function onlineAgain() {
    return new Promise((resolve) => {
      const done = () => {
        document.removeEventListener("courseforge:connection", done);
        clearTimeout(timer);
        resolve();
      };
      const timer = window.setTimeout(done, RETRY_OFFLINE_MS);
      document.addEventListener("courseforge:connection", done);
    });
  }

  /** One structure change, after the ones before it. `request()` gives [method, path, body] when
   * it is sent, so it carries the latest revision seen; offline it waits and is sent again. */
  function structure(request, what) {
    const run = async () => {
      for (;;) {
        const [method, path, body] = request();
        const result = await cf.api(method, path, body);
        if (result.status !== 0) return result;
        notify(`Offline: ${what} is kept here and sent when the connection returns.`);
        await onlineAgain();
      }
    };
    const done = queue.then(run);
    queue = done.catch(() => undefined);
    return done;
  }

  function problemText(result) {
    return result.body.detail || `the editor answered ${result.status}`;
  }

  function where(kind, found) {
    if (kind === "section") return "the course";
    return `'${labelOf(kind === "page" ? "section" : "page", found.parent)}'`;
  }

  /** Move an element so it follows `after` (null: first) in `parentId` (a section for pages,
   * a page for blocks): drawn at once, then sent. */
  async function moveTo(kind, id, parentId, after) {
    const found = locate(kind, id);
    if (!found) return;
    const target =
      kind === "section" ? sections() : kind === "page" ? locate("section", parentId).item.pages : locate("page", parentId).item.blocks;
    found.list.splice(found.index, 1);
    const index = after === null ? 0 : target.findIndex((x) => x.id === after) + 1;
    target.splice(index, 0, found.item);
    render();
    const moved = locate(kind, id);
    announce(`Moved '${labelOf(kind, found.item)}' to position ${moved.index + 1} of ${moved.list.length} in ${where(kind, moved)}.`);
    const result = await structure(
      () => ["POST", "move", { base_revision: cf.head, kind, id, parent: kind === "section" ? null : parentId, after }],
      `moving '${labelOf(kind, found.item)}'`,
    );
    if (!result.ok) notify(`Not moved: ${problemText(result)}`);
    await refresh();
  }

  /** Alt+Arrow and the Move buttons: one place up or down; a page at the edge of its section
   * goes to the end of the section before or the start of the one after. */
  function moveBy(kind, id, delta) {
    const found = locate(kind, id);
    if (!found) return;
    const others = found.list.filter((x) => x.id !== id);
    const index = found.index + delta;
    if (index >= 0 && index <= others.length) {
      const parent = found.parent ? found.parent.id : null;
      moveTo(kind, id, parent, index === 0 ? null : others[index - 1].id);
      return;
    }
    if (kind === "page") {
      const next = sections()[sections().indexOf(found.parent) + delta];
      if (next) {
        const pages = next.pages || [];
        moveTo(kind, id, next.id, delta < 0 ? (pages.length ? pages[pages.length - 1].id : null) : null);
        return;
      }
    }
    announce(`'${labelOf(kind, found.item)}' is already ${delta < 0 ? "first" : "last"}.`);
  }

  /** Delete, with an Undo kept for UNDO_MS that restores it from the revision before. */
  async function remove(kind, id, { onRemoved } = {}) {
    const found = locate(kind, id);
    if (!found) return;
    const label = labelOf(kind, found.item);
    const result = await structure(
      () => ["DELETE", `${kind}s/${encodeURIComponent(id)}?base_revision=${cf.head}`],
      `deleting '${label}'`,
    );
    if (!result.ok) {
      notify(`'${label}' was not deleted: ${problemText(result)}`);
      return;
    }
    const deleted = result.body.deleted || { kind, id, revision: result.body.revision };
    if (onRemoved) onRemoved();
    await refresh();
    const undo = notify(`${KINDS[kind]} '${label}' deleted.`, [{ label: "Undo", run: () => restore(deleted, label) }]);
    if (undo) undo.focus();
  }

  async function restore(deleted, label) {
    const result = await structure(
      () => [
        "POST",
        "restore",
        { base_revision: cf.head, kind: deleted.kind, id: deleted.id, from_revision: deleted.revision - 1 },
      ],
      `restoring '${label}'`,
    );
    if (!result.ok) {
      notify(`'${label}' was not restored: ${problemText(result)}`);
      return;
    }
    await refresh();
    if (deleted.kind === "page") select(deleted.id);
    notify(`${KINDS[deleted.kind]} '${label}' restored.`);
    focusKey(`${deleted.kind}:${deleted.id}`);
  }

  document.addEventListener("courseforge:revision", (event) => {
    for (const node of document.querySelectorAll("#revision, .publish-revision")) {
      node.textContent = String(event.detail.revision);
    }
  });
  window.addEventListener("hashchange", () => {
    const id = pageFromHash();
    if (id && id !== state.pageId && locate("page", id)) select(id);
  });
  document.addEventListener("DOMContentLoaded", () => {
    const wanted = [pageFromHash(), data.page].find((id) => id && locate("page", id));
    state.pageId = wanted || firstPageId();
    root.classList.add("enhanced");
    render();
    // The fields are in place, enabled, their handlers bound: "editor-ready" as the first frame
    // that draws them begins (what the benchmark's own check of a visible field would find).
    requestAnimationFrame(() => performance.mark("editor-ready"));
  });

  window.courseEditor = {
    state,
    el,
    locate,
    labelOf,
    announce,
    notify,
    conflictBox,
    onRender,
    render,
    focusKey,
    select,
    refresh,
    structure,
    problemText,
    moveTo,
    moveBy,
    remove,
  };
})();
