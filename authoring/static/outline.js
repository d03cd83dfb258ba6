// The course outline: sections with their pages. A page's link opens it for editing; authors add
// sections and pages, rename them in place (Enter or leaving the field saves, Escape cancels),
// delete them (with Undo), and reorder them by dragging a handle (mouse or touch), by the Move
// buttons or by Alt+ArrowUp / Alt+ArrowDown on any control of the item. Renames are saved like
// every other edit: kept in this browser first, sent when the connection allows.
"use strict";

(function () {
  const E = window.courseEditor;
  const list = document.getElementById("outline-sections");
  if (!E || !list) return;
  const cf = window.courseforge;
  const { el, state } = E;
  const renames = new Map(); // "page:p-x" -> saver of a rename not yet saved

  function control(kind, item, action, symbol, name, run) {
    return el("button", {
      type: "button",
      class: `icon ${action}`,
      text: symbol,
      title: name,
      "aria-label": `${name} ${kind} '${item.title}'`,
      dataset: { focus: `${kind}:${item.id}:${action}` },
      onclick: run,
    });
  }

  function controls(kind, item) {
    if (!state.editable) return null;
    return el(
      "span",
      { class: "controls" },
      control(kind, item, "rename", "✎", "Rename", () => startRename(kind, item.id)),
      control(kind, item, "up", "↑", "Move up", () => E.moveBy(kind, item.id, -1)),
      control(kind, item, "down", "↓", "Move down", () => E.moveBy(kind, item.id, 1)),
      control(kind, item, "delete", "✕", "Delete", () => E.remove(kind, item.id)),
    );
  }

  const handle = () => (state.editable ? el("span", { class: "handle", "aria-hidden": "true", title: "Drag to move" }, "⠿") : null);

  function pageItem(page) {
    const current = page.id === state.pageId;
    return el(
      "li",
      { class: current ? "page-item current" : "page-item", dataset: { kind: "page", id: page.id } },
      handle(),
      el("a", {
        class: "page-link title",
        href: `#page=${encodeURIComponent(page.id)}`,
        "aria-current": current ? "page" : null,
        dataset: { focus: `page:${page.id}` },
        text: page.title,
      }),
      controls("page", page),
    );
  }

  function sectionItem(section) {
    return el(
      "li",
      {
        class: (section.pages || []).some((page) => page.id === state.pageId) ? "section-item open" : "section-item",
        dataset: { kind: "section", id: section.id },
      },
      el(
        "div",
        { class: "section-row" },
        handle(),
        el("h3", { class: "section-title title", id: `section-${section.id}`, tabindex: "-1", dataset: { focus: `section:${section.id}` }, text: section.title }),
        controls("section", section),
      ),
      el("ol", { class: "pages", "aria-labelledby": `section-${section.id}` }, ...(section.pages || []).map(pageItem)),
      state.editable
        ? el("button", {
            type: "button",
            class: "add",
            text: "Add a page",
            "aria-label": `Add a page to '${section.title}'`,
            dataset: { focus: `section:${section.id}:add` },
            onclick: () => addPage(section.id),
          })
        : null,
    );
  }

  let editing = null; // {kind, id, input} while a title is being edited in place
  let redrawing = false;

  function render() {
    const typing = editing && document.activeElement === editing.input;
    redrawing = true;
    list.replaceChildren(...(state.doc.sections || []).map(sectionItem));
    redrawing = false;
    if (state.editable) sortable();
    if (!editing) return;
    // A redraw (another part of the page loading) keeps the title being typed.
    const title = titleNode(editing.kind, editing.id);
    if (!title) {
      editing = null;
      return;
    }
    title.replaceWith(editing.input);
    if (typing) editing.input.focus();
  }

  function titleNode(kind, id) {
    const item = list.querySelector(`[data-kind="${kind}"][data-id="${CSS.escape(id)}"]`);
    return item ? item.querySelector(".title") : null;
  }

  // ------------------------------------------------------------------ adding
  async function addSection() {
    const all = state.doc.sections || [];
    const result = await E.structure(
      () => ["POST", "sections", { base_revision: cf.head, title: "New section", after: all.length ? all[all.length - 1].id : null }],
      "the new section",
    );
    if (!result.ok) {
      E.notify(`No section was added: ${E.problemText(result)}`);
      return;
    }
    await E.refresh();
    const section = result.body.section;
    const firstPage = section && (section.pages || [])[0];
    if (firstPage) E.select(firstPage.id);
    if (section) startRename("section", section.id);
  }

  async function addPage(sectionId) {
    const found = E.locate("section", sectionId);
    const pages = found ? found.item.pages || [] : [];
    const result = await E.structure(
      () => [
        "POST",
        `sections/${encodeURIComponent(sectionId)}/pages`,
        { base_revision: cf.head, title: "New page", after: pages.length ? pages[pages.length - 1].id : null },
      ],
      "the new page",
    );
    if (!result.ok) {
      E.notify(`No page was added: ${E.problemText(result)}`);
      return;
    }
    await E.refresh();
    if (result.body.page) {
      E.select(result.body.page.id);
      startRename("page", result.body.page.id);
    }
  }

  // ------------------------------------------------------------------ renaming
  function startRename(kind, id) {
    const found = E.locate(kind, id);
    const title = titleNode(kind, id);
    if (!found || !title) return;
    const input = el("input", {
      type: "text",
      class: "rename",
      value: found.item.title,
      "aria-label": `New title of ${kind} '${found.item.title}' (Enter saves, Escape cancels)`,
      dataset: { focus: `${kind}:${id}:title` },
    });
    let done = false;
    const finish = (save) => {
      if (done || redrawing) return;
      done = true;
      editing = null;
      const value = input.value.trim();
      if (save && value && value !== found.item.title) rename(kind, id, value);
      E.render();
      E.focusKey(kind === "page" ? `page:${id}` : `section:${id}:rename`);
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        finish(false);
      }
    });
    input.addEventListener("blur", () => finish(true));
    editing = { kind, id, input };
    title.replaceWith(input);
    input.focus();
    input.select();
  }

  function renameSaver(kind, id) {
    const key = `title:${kind}:${id}`;
    if (renames.has(key)) return renames.get(key);
    const saver = cf.saver({
      key,
      base: cf.head,
      send: (value, base, options) =>
        cf.api("PATCH", `${kind}s/${encodeURIComponent(id)}`, { base_revision: base, title: value }, options),
      on: {
        saved(body, value) {
          if (!saver.pending) {
            saver.dispose();
            renames.delete(key);
          }
          E.announce(`Renamed to '${value}'.`);
        },
        invalid(body) {
          E.notify(`Not renamed: ${body.detail}`);
          saver.dispose();
          renames.delete(key);
          E.refresh();
        },
        conflict(body, value) {
          const theirs = body.conflicts && body.conflicts[0] ? body.conflicts[0].theirs : "";
          E.notify(`Not renamed to '${value}': someone else renamed it to '${theirs}' meanwhile.`, [
            { label: "Keep mine", run: () => { saver.rebase(body.head_revision); saver.flush(); } },
            {
              label: "Take theirs",
              run: () => {
                saver.discard(body.head_revision);
                saver.dispose();
                renames.delete(key);
                E.refresh();
              },
            },
          ]);
        },
      },
    });
    renames.set(key, saver);
    return saver;
  }

  function rename(kind, id, title) {
    const found = E.locate(kind, id);
    found.item.title = title; // shown at once; the saver keeps it until the server has it
    const saver = renameSaver(kind, id);
    saver.base = cf.head;
    saver.change(title);
    saver.flush();
  }

  /** A rename left unsaved by a closed tab is shown and sent again. */
  function restoreRenames() {
    for (const section of state.doc.sections || []) {
      for (const [kind, item] of [["section", section], ...(section.pages || []).map((p) => ["page", p])]) {
        if (!cf.readDraft(`title:${kind}:${item.id}`)) continue;
        const restored = renameSaver(kind, item.id).restore(item.title);
        if (restored !== null) item.title = restored;
      }
    }
  }

  // ------------------------------------------------------------------ reordering
  let sectionsSortable = null; // the list itself stays; its pages' lists are new at every redraw

  /** Drag and drop of sections and pages (a redraw makes new page lists, never a new outline). */
  function sortable() {
    if (!window.Sortable) return;
    const end = (kind) => (event) => {
      if (event.from === event.to && event.oldIndex === event.newIndex) return;
      const item = event.item;
      const before = item.previousElementSibling;
      const parent = kind === "page" ? event.to.closest(".section-item").dataset.id : null;
      window.setTimeout(() => E.moveTo(kind, item.dataset.id, parent, before ? before.dataset.id : null), 0);
    };
    const options = { handle: ".handle", forceFallback: true, fallbackTolerance: 3, animation: 120 };
    sectionsSortable ||= window.Sortable.create(list, { ...options, draggable: ".section-item", onEnd: end("section") });
    for (const pages of list.querySelectorAll("ol.pages")) {
      window.Sortable.create(pages, { ...options, draggable: ".page-item", group: "pages", onEnd: end("page") });
    }
  }

  list.addEventListener("keydown", (event) => {
    if (!state.editable || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    if (event.target.classList.contains("rename")) return;
    const item = event.target.closest("[data-kind]");
    if (!item) return;
    event.preventDefault();
    E.moveBy(item.dataset.kind, item.dataset.id, event.key === "ArrowUp" ? -1 : 1);
  });

  E.onRender(render);
  if (state.editable) {
    restoreRenames();
    list.after(el("button", { type: "button", class: "add", text: "Add a section", dataset: { focus: "outline:add" }, onclick: addSection }));
  }
})();
