// Review comments in the course editor. Each block card whose block has comments gets a button
// with its count of open ones ("2 open comments") that expands the block's threads below the
// card: each comment with its pin (a question, a video's second), the revision it was made on
// and its replies, a reply box, and Resolve / Reopen for those who may change the course. A
// course-level "Comments (N open)" list above the workspace jumps to a comment's page and block.
// Comments are fetched with the course page and again after every change made here; cards are
// (re)mounted at each "courseforge:blocks-rendered". Every text reaches the page as textContent.
"use strict";

(function () {
  const cf = window.courseforge;
  const root = document.getElementById("course");
  if (!cf || !root) return;
  const editable = root.dataset.editable === "true";
  const REFRESH_MS = 60000;
  let comments = [];
  let filter = "open"; // of the course-level list: open, resolved or all
  const expanded = new Set(); // block ids whose threads are shown
  const drafts = new Map(); // reply box id -> text typed and not sent yet, kept through redraws

  const { el } = cf; // elements with text only

  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const when = (iso) => el("time", { datetime: iso, text: `${iso.slice(0, 16).replace("T", " ")} UTC` });
  const who = (row) => `${row.author} (${row.author_kind === "reviewer" ? "reviewer" : "editor"})`;
  const problemText = (result) => String((result.body && result.body.detail) || `the editor answered ${result.status}`);
  const ofBlock = (blockId) => comments.filter((comment) => comment.block_id === blockId);
  const openCount = (list) => list.filter((comment) => comment.state === "open").length;

  function pinText(comment) {
    const parts = [];
    if (comment.question_label) parts.push(comment.question_label);
    else if (comment.question_id) parts.push(`question ${comment.question_id} (removed since)`);
    if (comment.video_second !== null && comment.video_second !== undefined) parts.push(`at ${clock(comment.video_second)}`);
    return parts.join(" ");
  }

  // ------------------------------------------------------------------ the API
  async function load() {
    const result = await cf.api("GET", "comments");
    if (!result.ok) return false;
    comments = result.body.comments;
    draw();
    return true;
  }

  async function change(comment, method, path, body, status) {
    status.textContent = "Saving…";
    const result = await cf.api(method, `comments/${comment.id}${path}`, body);
    if (!result.ok) {
      status.textContent = `Not saved: ${problemText(result)}`;
      return false;
    }
    const index = comments.findIndex((one) => one.id === comment.id);
    if (index >= 0) comments[index] = result.body.comment;
    draw();
    return true;
  }

  // ------------------------------------------------------------------ one thread
  function thread(comment, focusPrefix) {
    const status = el("p", { class: "thread-status", role: "status" });
    const area = el("textarea", { id: `${focusPrefix}-reply-${comment.id}`, rows: "2", maxlength: "4000" });
    area.value = drafts.get(area.id) || "";
    area.addEventListener("input", () => drafts.set(area.id, area.value));
    const pin = pinText(comment);
    const resolveLabel = comment.state === "open" ? "Resolve" : "Reopen";
    return el(
      "li",
      { class: `thread thread-${comment.state}`, "data-comment": String(comment.id) },
      el("p", { class: "thread-meta" },
        el("strong", { text: who(comment) }),
        pin ? ` · ${pin}` : "",
        ` · on revision ${comment.revision} · `,
        when(comment.created_at),
        comment.state === "resolved" ? " · resolved" : ""),
      comment.block_removed ? el("p", { class: "thread-removed", text: "Block removed since this comment was made." }) : null,
      el("p", { class: "thread-body", text: comment.body }),
      comment.replies.length
        ? el("ol", { class: "thread-replies", "aria-label": `Replies to ${comment.author}` },
            ...comment.replies.map((reply) =>
              el("li", {},
                el("p", { class: "thread-meta" }, el("strong", { text: who(reply) }), " · ", when(reply.created_at)),
                el("p", { class: "thread-body", text: reply.body }))))
        : null,
      el("form", {
        class: "thread-reply",
        onsubmit: async (event) => {
          event.preventDefault();
          const text = area.value.trim();
          if (!text) {
            status.textContent = "Write the reply first.";
            area.focus();
            return;
          }
          drafts.delete(area.id);
          if (await change(comment, "POST", "/replies", { body: text }, status)) focusKey(`${focusPrefix}:reply:${comment.id}`);
          else drafts.set(area.id, text);
        },
      },
        el("label", { for: area.id, text: `Reply to ${comment.author}` }),
        area,
        el("span", { class: "thread-actions" },
          el("button", { type: "submit", "data-focus": `${focusPrefix}:reply:${comment.id}`, text: "Send reply" }),
          editable
            ? el("button", {
                type: "button",
                "data-focus": `${focusPrefix}:state:${comment.id}`,
                "aria-label": `${resolveLabel} the comment by ${comment.author}`,
                text: resolveLabel,
                onclick: async () => {
                  const state = comment.state === "open" ? "resolved" : "open";
                  if (await change(comment, "PATCH", "", { state }, status)) focusKey(`${focusPrefix}:state:${comment.id}`);
                },
              })
            : null)),
      status,
    );
  }

  function focusKey(key) {
    const node = root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (node) node.focus();
  }

  // ------------------------------------------------------------------ on the cards
  function mountCards(scope) {
    for (const card of (scope || root).querySelectorAll(".card[data-id]")) mountCard(card);
  }

  function mountCard(card) {
    const blockId = card.dataset.id;
    const list = ofBlock(blockId);
    let button = card.querySelector(":scope > .card-head > .comment-count");
    let box = card.querySelector(":scope > .card-comments");
    if (!list.length) {
      if (button) button.remove();
      if (box) box.remove();
      expanded.delete(blockId);
      return;
    }
    const boxId = `comments-of-${blockId}`;
    if (!button) {
      button = el("button", {
        type: "button",
        class: "comment-count",
        "aria-controls": boxId,
        "data-focus": `comments:${blockId}`,
        onclick: () => {
          if (expanded.has(blockId)) expanded.delete(blockId);
          else expanded.add(blockId);
          mountCard(card);
        },
      });
      const head = card.querySelector(":scope > .card-head");
      head.insertBefore(button, head.querySelector(".controls-slot"));
    }
    const open = openCount(list);
    button.textContent = plural(open, "open comment");
    button.setAttribute("aria-expanded", String(expanded.has(blockId)));
    button.classList.toggle("none-open", open === 0);
    if (!box) {
      const title = card.querySelector(":scope > .card-head .block-kind");
      box = el("section", { class: "card-comments", id: boxId, "aria-label": `Comments on ${title ? title.textContent : blockId}` });
      card.querySelector(":scope > .card-body").after(box);
    }
    box.hidden = !expanded.has(blockId);
    if (!box.hidden) {
      const ordered = [...list].sort((a, b) => (a.state === b.state ? a.id - b.id : a.state === "open" ? -1 : 1));
      box.replaceChildren(el("ol", { class: "threads" }, ...ordered.map((comment) => thread(comment, `card:${blockId}`))));
    } else box.replaceChildren();
  }

  // ------------------------------------------------------------------ the course's list
  const panel = {
    toggle: el("button", { type: "button", class: "comments-toggle", "aria-expanded": "false", "aria-controls": "comments-list-box" }),
    box: el("div", { id: "comments-list-box", class: "comments-list-box", hidden: true }),
    filter: el("select", { id: "comments-filter" },
      el("option", { value: "open", text: "Open" }), el("option", { value: "resolved", text: "Resolved" }),
      el("option", { value: "all", text: "All" })),
    list: el("ol", { class: "comments-list", "aria-labelledby": "comments-title" }),
    empty: el("p", { class: "meta", role: "status" }),
  };
  const section = el("section", { class: "comments", id: "comments", "aria-labelledby": "comments-title" },
    el("h2", { id: "comments-title", class: "comments-title" }, panel.toggle),
    panel.box);
  panel.box.append(
    el("p", { class: "comments-filter" }, el("label", { for: "comments-filter", text: "Show" }), panel.filter),
    panel.empty,
    panel.list,
  );
  panel.toggle.addEventListener("click", () => {
    panel.box.hidden = !panel.box.hidden;
    panel.toggle.setAttribute("aria-expanded", String(!panel.box.hidden));
  });
  panel.filter.addEventListener("change", () => {
    filter = panel.filter.value;
    drawList();
  });

  function drawList() {
    const open = openCount(comments);
    panel.toggle.textContent = `Comments (${open} open)`;
    const shown = comments.filter((comment) => filter === "all" || comment.state === filter);
    panel.empty.textContent = shown.length ? "" : filter === "open" ? "No open comments." : "No comments.";
    panel.list.replaceChildren(
      ...shown.map((comment) => {
        const where = comment.block_removed
          ? "Block removed"
          : [comment.page_title, comment.block_label, pinText(comment)].filter(Boolean).join(" › ");
        return el("li", { class: `comments-entry comments-entry-${comment.state}` },
          el("p", { class: "thread-meta" }, el("strong", { text: who(comment) }), ` · revision ${comment.revision}`,
            comment.state === "resolved" ? " · resolved" : ""),
          el("p", { class: "thread-body", text: comment.body }),
          comment.block_removed
            ? el("p", { class: "thread-removed", text: "Block removed since this comment was made." })
            : el("button", {
                type: "button",
                class: "comments-jump",
                text: `Go to ${where}`,
                onclick: () => jump(comment),
              }));
      }),
    );
  }

  const cardOf = (blockId) => root.querySelector(`.card[data-id="${CSS.escape(blockId)}"]`);

  /** The block's card, once the page holding it is drawn (its texts may be fetched first). */
  function whenCard(blockId) {
    return new Promise((resolve) => {
      const found = cardOf(blockId);
      if (found) return resolve(found);
      const done = () => {
        document.removeEventListener("courseforge:blocks-rendered", drawn);
        window.clearTimeout(timer);
        resolve(cardOf(blockId));
      };
      const drawn = () => cardOf(blockId) && done();
      const timer = window.setTimeout(done, 5000);
      document.addEventListener("courseforge:blocks-rendered", drawn);
    });
  }

  /** The comment's page opened in the editor, its block's thread expanded and the comment focused. */
  async function jump(comment) {
    expanded.add(comment.block_id);
    const editor = window.courseEditor;
    if (!editor) {
      window.location.assign(`?page=${encodeURIComponent(comment.page_id)}#page=${encodeURIComponent(comment.page_id)}`);
      return;
    }
    if (editor.state.pageId !== comment.page_id) editor.select(comment.page_id);
    else mountCards(root);
    const card = await whenCard(comment.block_id);
    if (!card) return;
    card.scrollIntoView({ block: "start" });
    const entry = card.querySelector(`.card-comments [data-comment="${comment.id}"]`);
    if (entry) {
      entry.setAttribute("tabindex", "-1");
      entry.focus();
    } else card.focus();
  }

  function draw() {
    drawList();
    mountCards(root);
  }

  const head = root.querySelector(".course-head");
  if (head) head.after(section);
  else root.prepend(section);
  drawList();
  document.addEventListener("courseforge:blocks-rendered", (event) => mountCards(event.detail && event.detail.root));
  load();
  window.setInterval(() => {
    if (!section.contains(document.activeElement) && !root.querySelector(".card-comments textarea:focus")) load();
  }, REFRESH_MS);
})();
