// The selected page's blocks, each a card with its type, a drag handle, Move up/down, Delete (with
// Undo) and "Add a block" after it. Text blocks are Markdown with a live preview rendered and
// cleaned by the server; image blocks choose one of the course's image files and need alt text,
// checked by the course model as the author types; video and narration are summaries; quiz
// blocks hold the quiz editor's place (quiz-editor.js, fetched with the first quiz page drawn,
// mounts into it). Each card is kept, with its saver, for as long as its block exists, so
// redrawing the page never loses typing. A text block's preview comes with the page the server
// drew, or is asked for when its card is first drawn.
"use strict";

(function () {
  const E = window.courseEditor;
  const host = document.getElementById("page-editor");
  if (!E || !host) return;
  const cf = window.courseforge;
  const { el, state } = E;
  const PREVIEW_MS = 150;
  const IMAGE = /\.(png|jpe?g|gif|webp|avif|svg)$/i;
  const cards = new Map(); // block id -> {node, type, saver, place?}
  const TYPE_NAMES = { text: "Text", image: "Image", video: "Video", narration: "Narration", quiz: "Quiz" };

  const images = () => state.files.filter((path) => IMAGE.test(path));
  const path = (id) => `blocks/${encodeURIComponent(id)}`;

  function showState(node) {
    return (text, kind) => {
      node.textContent = text;
      node.dataset.kind = kind;
    };
  }

  // ------------------------------------------------------------------ text
  function textBody(block, card) {
    const id = block.id;
    const text = state.texts.get(id) || { markdown: block.markdown || "", html: null, revision: cf.head };
    const preview = el("div", { class: "preview", role: "region", "aria-label": "Preview" });
    let area = null;
    let asked = 0;
    /** The preview of what is typed (read only: of the block), rendered and cleaned (nh3) by the
     * server; with no answer (offline) an empty preview shows the Markdown itself, as text. */
    async function renderPreview() {
      const ask = ++asked;
      const markdown = area ? area.value : text.markdown;
      const result = await cf.api("POST", "/api/preview/markdown", { markdown });
      if (ask !== asked) return;
      if (result.ok && typeof result.body.html === "string") preview.innerHTML = result.body.html;
      else if (!preview.hasChildNodes()) preview.textContent = markdown;
    }
    if (typeof text.html === "string") preview.innerHTML = text.html; // the server's, drawn with the page
    if (!state.editable) {
      if (typeof text.html !== "string") renderPreview();
      return [preview];
    }
    area = el("textarea", {
      class: "markdown",
      id: `md-${id}`,
      rows: "8",
      "aria-describedby": `state-${id}`,
      dataset: { focus: `block:${id}:field` },
      value: text.markdown,
    });
    const saveState = el("p", { class: "save-state", id: `state-${id}`, "aria-live": "polite" });
    const box = el("div", { class: "conflict", role: "group", "aria-label": "Two versions", hidden: true });
    let timer = null;
    const saver = cf.saver({
      key: `block:${id}`,
      base: text.revision,
      send: (value, base, options) => cf.api("PUT", `${path(id)}/markdown`, { base_revision: base, markdown: value }, options),
      on: {
        state: showState(saveState),
        saved(body, value) {
          // The preview already shows what was typed; drawn again, the block asks for it anew.
          state.texts.set(id, { markdown: value, html: null, revision: body.revision });
        },
        conflict(body, value) {
          const theirs = body.conflicts && body.conflicts[0] ? String(body.conflicts[0].theirs ?? "") : "";
          E.conflictBox(box, {
            mine: value,
            theirs,
            head: body.head_revision,
            onKeep: () => {
              saver.rebase(body.head_revision);
              saver.flush();
            },
            onTake: () => {
              area.value = theirs;
              saver.discard(body.head_revision);
              renderPreview();
            },
          });
        },
      },
    });
    card.saver = saver;
    area.addEventListener("input", () => {
      saver.change(area.value);
      clearTimeout(timer);
      timer = window.setTimeout(renderPreview, PREVIEW_MS);
    });
    const restored = saver.restore(text.markdown);
    if (restored !== null) area.value = restored;
    if (restored !== null || typeof text.html !== "string") renderPreview();
    return [
      el(
        "div",
        { class: "text-editor" },
        el("div", { class: "markdown-side" }, el("label", { for: area.id, text: "Markdown" }), area, saveState, box),
        el("div", { class: "preview-side" }, el("p", { class: "preview-label", "aria-hidden": "true", text: "Preview" }), preview),
      ),
    ];
  }

  // ------------------------------------------------------------------ image
  /** A problem's field relative to its block: `sections[0].pages[1].blocks[2].image.alt` -> `alt`. */
  function blockField(field) {
    return String(field || "").replace(/^.*blocks\[\d+\]\.?/, "").replace(/^(text|image|video|narration|quiz)\.?/, "");
  }

  function imageBody(block, card) {
    const id = block.id;
    if (!state.editable) {
      return [
        el("p", { class: "file-name", text: `File: ${block.src}` }),
        el("p", { text: `Alt text: ${block.alt}` }),
        block.caption ? el("p", { text: `Caption: ${block.caption}` }) : null,
      ];
    }
    const choices = images().includes(block.src) ? images() : [block.src, ...images()];
    const field = (name, label, input) => {
      const message = el("p", { class: "field-message", id: `${name}-${id}-message`, "aria-live": "polite" });
      input.id = `${name}-${id}`;
      input.setAttribute("aria-describedby", message.id);
      input.dataset.focus = `block:${id}:${name === "alt" ? "field" : name}`;
      return { input, message, node: el("div", { class: "field" }, el("label", { for: input.id, text: label }), input, message) };
    };
    const fields = {
      src: field("src", "Image file", el("select", {}, ...choices.map((file) => el("option", { value: file, text: file })))),
      alt: field("alt", "Alt text (required: what the image shows)", el("input", { type: "text", "aria-required": "true", value: block.alt || "" })),
      caption: field("caption", "Caption", el("input", { type: "text", value: block.caption || "" })),
    };
    fields.src.input.value = block.src;
    const fileName = el("p", { class: "file-name", text: `Shows ${block.src}` });
    const saveState = el("p", { class: "save-state", "aria-live": "polite" });
    const box = el("div", { class: "conflict", role: "group", "aria-label": "Two versions", hidden: true });
    let current = block;

    const value = () => {
      const next = { ...current, src: fields.src.input.value, alt: fields.alt.input.value };
      const caption = fields.caption.input.value;
      if (caption.trim()) next.caption = caption;
      else delete next.caption;
      return next;
    };
    const fill = (from) => {
      fields.src.input.value = from.src;
      fields.alt.input.value = from.alt || "";
      fields.caption.input.value = from.caption || "";
      fileName.textContent = `Shows ${from.src}`;
    };
    const mark = (problems) => {
      for (const [name, one] of Object.entries(fields)) {
        const problem = problems.find((p) => blockField(p.field) === name);
        one.message.textContent = problem ? problem.message : "";
        if (problem) one.input.setAttribute("aria-invalid", "true");
        else one.input.removeAttribute("aria-invalid");
      }
    };
    const describe = (b) => `file: ${b.src}\nalt text: ${b.alt || ""}\ncaption: ${b.caption || ""}`;
    const saver = cf.saver({
      key: `block:${id}`,
      base: cf.head, // the revision the document this card was drawn from was read at
      send: (next, base, options) => cf.api("PUT", path(id), { base_revision: base, block: next }, options),
      on: {
        state: showState(saveState),
        saved(body, saved) {
          current = saved;
          mark([]);
          const found = E.locate("block", id);
          if (found) Object.assign(found.item, saved);
        },
        invalid(body) {
          const problems = body.problems || [{ field: body.field, message: body.detail }];
          mark(problems);
        },
        conflict(body, mine) {
          const theirs = body.conflicts && body.conflicts[0] ? body.conflicts[0].theirs || {} : {};
          E.conflictBox(box, {
            mine: describe(mine),
            theirs: describe(theirs),
            head: body.head_revision,
            onKeep: () => {
              saver.rebase(body.head_revision);
              saver.flush();
            },
            onTake: () => {
              current = theirs;
              fill(theirs);
              saver.discard(body.head_revision);
            },
          });
        },
      },
    });
    card.saver = saver;
    for (const one of Object.values(fields)) {
      one.input.addEventListener("input", () => {
        fileName.textContent = `Shows ${fields.src.input.value}`;
        saver.change(value());
      });
    }
    const restored = saver.restore(block);
    if (restored !== null) fill(restored);
    return [fileName, fields.src.node, fields.alt.node, fields.caption.node, saveState, box];
  }

  // ------------------------------------------------------------------ video, narration, quiz
  function videoBody(block) {
    return [
      el("p", { class: "file-name", text: `File: ${block.src}` }),
      el("p", { text: `Title: ${block.title}` }),
      el("p", { text: block.captions ? `Captions: ${block.captions}` : "No captions file" }),
    ];
  }

  function narrationBody(block) {
    if (block.src) return [el("p", { class: "file-name", text: `Recording: ${block.src}` })];
    return [el("p", { text: "Spoken from its script:" }), el("blockquote", { class: "script", text: block.script || "" })];
  }

  const quizPlace = (block) =>
    el("div", { class: "quiz-editor", dataset: { blockId: block.id } }, el("p", { class: "qe-state", role: "status", text: "Loading the quiz…" }));

  let quizEditor = null; // the quiz editor's <script> once asked for
  /** The quiz editor (script and stylesheet) is fetched the first time a page with a quiz is
   * drawn, not with the course page: most pages have no quiz. Once run it mounts into every
   * quiz place, then at each "courseforge:blocks-rendered"; if it cannot be fetched (offline),
   * the next drawing of a quiz page asks again. */
  function loadQuizEditor() {
    const urls = document.getElementById("course").dataset;
    if (quizEditor || !urls.quizEditor) return;
    const style = el("link", { rel: "stylesheet", href: urls.quizEditorCss });
    quizEditor = el("script", { src: urls.quizEditor });
    quizEditor.addEventListener("error", () => {
      style.remove();
      quizEditor.remove();
      quizEditor = null;
      for (const place of host.querySelectorAll(".quiz-editor > .qe-state")) {
        place.textContent = "The quiz editor could not be loaded; it is asked for again when this page is opened again.";
      }
    });
    document.head.append(style, quizEditor);
  }

  // ------------------------------------------------------------------ cards
  function cardControls(block) {
    const label = E.labelOf("block", block);
    const button = (action, symbol, name, run) =>
      el("button", {
        type: "button",
        class: `icon ${action}`,
        text: symbol,
        title: name,
        "aria-label": `${name} block '${label}'`,
        dataset: { focus: `block:${block.id}:${action}` },
        onclick: run,
      });
    return el(
      "span",
      { class: "controls" },
      button("up", "↑", "Move up", () => E.moveBy("block", block.id, -1)),
      button("down", "↓", "Move down", () => E.moveBy("block", block.id, 1)),
      button("delete", "✕", "Delete", () => E.remove("block", block.id)),
    );
  }

  /** "Add a block" after `afterId` (null: first), at the page's end when `atEnd`. */
  function addMenu(pageId, afterId, atEnd = false) {
    const types = [["text", "Text"], ...(images().length ? [["image", "Image"]] : []), ["quiz", "Quiz"]];
    const where = atEnd ? "at the end" : "after this block";
    const menu = el(
      "span",
      { class: "add-choices", hidden: true },
      ...types.map(([type, name]) =>
        el("button", {
          type: "button",
          text: name,
          "aria-label": `Add ${type === "image" ? "an" : "a"} ${name.toLowerCase()} block ${where}`,
          onclick: () => addBlock(pageId, afterId, type),
        }),
      ),
    );
    const toggle = el("button", {
      type: "button",
      class: "add",
      "aria-expanded": "false",
      text: "Add a block", // its name says where; it begins with what it shows, as speech input needs
      "aria-label": `Add a block ${where}`,
      dataset: { focus: atEnd ? "add:end" : `add:${afterId}` },
      onclick: () => {
        const open = menu.hidden;
        menu.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        if (open) menu.querySelector("button").focus();
      },
    });
    return el("div", { class: "add-block" }, toggle, menu);
  }

  function heading(block) {
    const name = TYPE_NAMES[block.type] || block.type;
    return block.type === "quiz" ? `${name}: ${block.title}` : name;
  }

  /** The files a media block names: when another save or an upload changes them, its card's
   * body is drawn again (a text or quiz card keeps its own, with what is being typed). */
  const MEDIA_FIELDS = { image: ["src"], video: ["src", "poster", "captions"], narration: ["src", "captions"] };
  const filesOf = (block) => JSON.stringify((MEDIA_FIELDS[block.type] || []).map((name) => block[name] ?? null));

  function bodyOf(block, card) {
    card.files = filesOf(block);
    if (block.type === "text") return textBody(block, card);
    if (block.type === "image") return imageBody(block, card);
    if (block.type === "video") return videoBody(block);
    if (block.type === "narration") return narrationBody(block);
    card.place = quizPlace(block);
    return [card.place];
  }

  function buildCard(block) {
    const card = { type: block.type, saver: null, place: null };
    const title = el("h3", { class: "block-kind", id: `block-${block.id}-kind`, text: heading(block) });
    const body = bodyOf(block, card);
    card.title = title;
    card.controls = el("span", { class: "controls-slot" });
    card.footer = el("footer", { class: "card-foot" });
    card.node = el(
      "article",
      {
        class: `card block block-${block.type}`,
        tabindex: "-1",
        "aria-labelledby": title.id,
        dataset: { kind: "block", id: block.id, focus: `block:${block.id}` },
      },
      el("header", { class: "card-head" }, state.editable ? el("span", { class: "handle", "aria-hidden": "true", title: "Drag to move" }, "⠿") : null, title, card.controls),
      (card.body = el("div", { class: "card-body" }, ...body)),
      card.footer,
    );
    return card;
  }

  function cardFor(block, pageId) {
    let card = cards.get(block.id);
    if (card && card.type !== block.type) {
      if (card.saver) card.saver.dispose();
      card = null;
    }
    if (!card) {
      card = buildCard(block);
      cards.set(block.id, card);
    } else if (card.place && !card.node.isConnected) {
      // Back on this page: a fresh place, which the quiz editor mounts into again.
      const place = quizPlace(block);
      card.place.replaceWith(place);
      card.place = place;
    } else if (card.files !== filesOf(block) && !(card.saver && card.saver.pending)) {
      // Its file changed under it (an upload, another author): drawn again from the block as stored.
      if (card.saver) card.saver.dispose();
      card.saver = null;
      card.body.replaceChildren(...bodyOf(block, card));
    }
    card.title.textContent = heading(block);
    if (state.editable) {
      card.controls.replaceChildren(cardControls(block));
      card.footer.replaceChildren(addMenu(pageId, block.id));
    }
    return card;
  }

  const pageView = {
    title: el("h2", { id: "page-title" }),
    meta: el("p", { class: "meta" }),
    list: el("div", { class: "blocks", role: "list" }),
    end: el("div", { class: "page-end" }),
    shown: false,
  };

  function render() {
    const found = E.locate("page", state.pageId);
    if (!found) {
      pageView.shown = false;
      host.replaceChildren(el("h2", { id: "page-title", text: "This course has no pages yet." }));
      return;
    }
    const page = found.item;
    const present = new Set();
    for (const section of state.doc.sections || []) {
      for (const one of section.pages || []) for (const block of one.blocks || []) present.add(block.id);
    }
    for (const [id, card] of cards) {
      if (!present.has(id)) {
        if (card.saver) card.saver.dispose();
        cards.delete(id);
      }
    }
    const blocks = page.blocks || [];
    const missing = blocks.filter((b) => b.type === "text" && !state.texts.has(b.id));
    if (missing.length) {
      loadTexts(missing);
      return;
    }
    const list = pageView.list;
    list.setAttribute("aria-label", `Blocks of '${page.title}'`);
    // Cards are put in order in place: a card that does not move keeps the focus and the caret.
    blocks.forEach((block, index) => {
      const card = cardFor(block, page.id);
      card.node.setAttribute("role", "listitem");
      if (list.children[index] !== card.node) list.insertBefore(card.node, list.children[index] || null);
    });
    while (list.children.length > blocks.length) list.lastElementChild.remove();
    pageView.title.textContent = page.title;
    pageView.meta.textContent = `Page in '${found.parent.title}' · ${blocks.length} block${blocks.length === 1 ? "" : "s"}`;
    pageView.end.replaceChildren(state.editable ? addMenu(page.id, blocks.length ? blocks[blocks.length - 1].id : null, true) : "");
    if (!pageView.shown) {
      host.replaceChildren(pageView.title, pageView.meta, list, pageView.end);
      pageView.shown = true;
      if (state.editable) sortable(list);
    }
    document.dispatchEvent(new CustomEvent("courseforge:blocks-rendered", { detail: { root: host } }));
    if (blocks.some((block) => block.type === "quiz")) loadQuizEditor();
  }

  /** Blocks this page has not loaded yet (restored, or added by someone else): their Markdown. */
  async function loadTexts(blocks) {
    const results = await Promise.all(blocks.map((block) => cf.api("GET", path(block.id))));
    results.forEach((result, index) => {
      const body = result.ok ? result.body : { markdown: blocks[index].markdown || "", html: "", revision: cf.head };
      state.texts.set(blocks[index].id, { markdown: body.markdown || "", html: body.html || "", revision: body.revision });
    });
    E.render();
  }

  function starter(type) {
    if (type === "text") return { type, markdown: "" };
    if (type === "image") return { type, src: images()[0], alt: "Describe what the image shows" };
    return {
      type: "quiz",
      title: "New quiz",
      questions: [
        {
          type: "single_choice",
          prompt: "New question",
          choices: [
            { text: "First answer", correct: true },
            { text: "Second answer", correct: false },
          ],
        },
      ],
    };
  }

  async function addBlock(pageId, afterId, type) {
    const sent = starter(type);
    const result = await E.structure(
      () => ["POST", `pages/${encodeURIComponent(pageId)}/blocks`, { base_revision: cf.head, block: sent, after: afterId }],
      `the new ${type} block`,
    );
    if (!result.ok) {
      E.notify(`No block was added: ${E.problemText(result)}`);
      return;
    }
    const block = result.body.block;
    if (block && block.type === "text") {
      // The server keeps a new text block's Markdown in a file of its own: what was sent is its text.
      state.texts.set(block.id, { markdown: sent.markdown || "", html: "", revision: result.body.revision });
    }
    await E.refresh();
    if (!block) return;
    const card = cards.get(block.id);
    if (!card) return;
    const first = card.node.querySelector('[data-focus$=":field"]') || card.node; // the text, the alt text
    first.focus();
    if (first.select) first.select();
    E.announce(`${TYPE_NAMES[block.type]} block added.`);
  }

  function sortable(list) {
    if (!window.Sortable) return;
    window.Sortable.create(list, {
      handle: ".handle",
      draggable: ".card",
      forceFallback: true,
      fallbackTolerance: 3,
      animation: 120,
      onEnd(event) {
        if (event.oldIndex === event.newIndex) return;
        const before = event.item.previousElementSibling;
        window.setTimeout(() => E.moveTo("block", event.item.dataset.id, state.pageId, before ? before.dataset.id : null), 0);
      },
    });
  }

  host.addEventListener("keydown", (event) => {
    if (!state.editable || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    // The quiz editor moves its own questions and answers with the same keys.
    if (event.defaultPrevented || event.target.closest(".quiz-editor")) return;
    const card = event.target.closest(".card");
    if (!card) return;
    event.preventDefault();
    E.moveBy("block", card.dataset.id, event.key === "ArrowUp" ? -1 : 1);
  });

  E.onRender(render);
})();
