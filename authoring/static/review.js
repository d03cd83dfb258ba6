// The review page: the course in its web player (a frame on this origin) beside the comment
// panel. The panel follows the player: it offers the blocks and questions of the page in view,
// the block nearest the top of the view (or the one the reviewer is in) chosen first, and a
// "Comment at 0:07" button per video that pins the video's current second. Comments and replies
// go out with the link's token in their address and the page's CSRF token; the reviewer's name
// is kept in this browser. Every text from the server reaches the page as textContent.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const frame = document.getElementById("review-frame");
  const $ = (id) => document.getElementById(id);
  const ui = {
    nameForm: $("name-form"),
    nameInput: $("reviewer-name"),
    named: $("named"),
    shown: $("reviewer-shown"),
    rename: $("rename"),
    form: $("comment-form"),
    target: $("comment-target"),
    times: $("video-times"),
    pin: $("comment-pin"),
    pinText: $("comment-pin-text"),
    unpin: $("unpin-time"),
    body: $("comment-body"),
    message: $("comment-message"),
    list: $("comment-list"),
    listTitle: $("list-title"),
    listState: $("list-state"),
    every: $("every-page"),
  };
  const NAME_KEY = "courseforge-review:name";
  const REFRESH_MS = 30000;
  const SEEN_PX = 48;
  const pages = new Map(); // page id -> page of the outline (its blocks and their questions)
  let comments = [];
  let pageId = null; // the page the player shows
  let chosen = false; // the reviewer picked what to comment on, on this page
  let pinned = null; // { blockId, second }: a video's second, from "Comment at"
  let name = readName();

  // ------------------------------------------------------------------ DOM, text only
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
    return node;
  }

  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

  function readName() {
    try {
      return window.localStorage.getItem(NAME_KEY) || "";
    } catch {
      return "";
    }
  }

  // ------------------------------------------------------------------ the API
  async function call(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrf } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      return { ok: false, status: 0, body: { detail: "the server cannot be reached; your text is still here, try again" } };
    }
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  }

  const problemText = (result) => {
    const detail = String((result.body && result.body.detail) || `the server answered ${result.status}`);
    return detail.charAt(0).toUpperCase() + detail.slice(1) + (detail.endsWith(".") ? "" : ".");
  };

  // ------------------------------------------------------------------ the name
  function showName() {
    ui.nameForm.hidden = Boolean(name);
    ui.named.hidden = !name;
    ui.shown.textContent = name;
  }

  ui.nameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = ui.nameInput.value.trim();
    if (!typed) {
      ui.nameInput.focus();
      return;
    }
    name = typed.slice(0, Number(ui.nameInput.maxLength) || 80);
    try {
      window.localStorage.setItem(NAME_KEY, name);
    } catch {
      // kept for this visit only
    }
    showName();
    ui.body.focus();
  });

  ui.rename.addEventListener("click", () => {
    ui.nameInput.value = name;
    ui.nameForm.hidden = false;
    ui.named.hidden = true;
    ui.nameInput.focus();
  });

  // ------------------------------------------------------------------ following the player
  function player() {
    try {
      return frame.contentDocument && frame.contentDocument.getElementById("main") ? frame.contentDocument : null;
    } catch {
      return null;
    }
  }

  const blockNodes = (doc) => [...doc.querySelectorAll("#main article.page > .block[id^='b-']")];

  /** The block at the top of the player's view: the first one not scrolled past (more than
   * SEEN_PX of it still shown). */
  function blockInView(doc) {
    const height = doc.defaultView.innerHeight;
    const found = blockNodes(doc).find((node) => {
      const box = node.getBoundingClientRect();
      return box.bottom > SEEN_PX && box.top < height;
    });
    return found ? found.id.slice(2) : null;
  }

  function pageChanged() {
    const doc = player();
    const article = doc && doc.querySelector("#main article.page[data-page]");
    const shown = article ? article.dataset.page : null;
    if (shown !== pageId) {
      pageId = shown;
      chosen = false;
      pinned = null;
      fillTargets();
      renderList();
    }
    fillTimes();
    followView();
  }

  function followView() {
    const doc = player();
    if (!doc || chosen) return;
    const id = blockInView(doc);
    if (id) select(`b:${id}`);
  }

  function select(value) {
    if ([...ui.target.options].some((option) => option.value === value)) ui.target.value = value;
    showPin();
  }

  function fillTargets() {
    const page = pages.get(pageId);
    const options = [];
    for (const block of page ? page.blocks : []) {
      options.push(el("option", { value: `b:${block.id}`, text: block.label }));
      for (const question of block.questions) {
        options.push(el("option", { value: `q:${block.id}:${question.id}`, text: `${block.label} › ${question.label}` }));
      }
    }
    ui.target.replaceChildren(...options);
    ui.form.querySelector("button[type=submit]").disabled = !options.length;
    if (!options.length) ui.message.textContent = "Open a page of the course to comment on it.";
    else if (ui.message.textContent.startsWith("Open a page")) ui.message.textContent = "";
    showPin();
  }

  /** One "Comment at m:ss" button per video of the page, its time kept up with the video's. */
  function fillTimes() {
    const doc = player();
    const videos = doc ? blockNodes(doc).filter((node) => node.querySelector("video")) : [];
    const wanted = videos.map((node) => node.id.slice(2));
    const present = [...ui.times.children].map((button) => button.dataset.block);
    if (wanted.join("\n") !== present.join("\n")) {
      ui.times.replaceChildren(
        ...videos.map((node) => {
          const title = node.querySelector("video").getAttribute("aria-label") || "the video";
          return el(
            "button",
            { type: "button", class: "time-pin", "data-block": node.id.slice(2), onclick: () => pinTime(node.id.slice(2)) },
            el("span", { class: "time-label" }),
            el("span", { class: "visually-hidden", text: ` on the video “${title}”` }),
          );
        }),
      );
    }
    for (const button of ui.times.children) {
      const video = doc.getElementById(`b-${button.dataset.block}`)?.querySelector("video");
      button.firstChild.textContent = `Comment at ${clock(video ? video.currentTime || 0 : 0)}`;
    }
  }

  function pinTime(blockId) {
    const video = player()?.getElementById(`b-${blockId}`)?.querySelector("video");
    if (!video) return;
    if (!video.paused) video.pause();
    pinned = { blockId, second: Math.floor(video.currentTime || 0) };
    chosen = true;
    select(`b:${blockId}`);
    ui.body.focus();
  }

  function showPin() {
    const [, blockId] = ui.target.value.split(":");
    if (pinned && pinned.blockId !== blockId) pinned = null;
    ui.pin.hidden = !pinned;
    ui.pinText.textContent = pinned ? `At ${clock(pinned.second)} in the video.` : "";
  }

  ui.target.addEventListener("change", () => {
    chosen = true;
    showPin();
  });
  ui.unpin.addEventListener("click", () => {
    pinned = null;
    showPin();
    ui.body.focus();
  });

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(() => {
      scheduled = false;
      followView();
    });
  }

  /** Inside the player, the block (and question) the reviewer is in is the one to comment on. */
  function followFocus(target) {
    const block = target.closest && target.closest("#main article.page > .block[id^='b-']");
    if (!block) return;
    const question = target.closest("[data-question]");
    select(question ? `q:${block.id.slice(2)}:${question.dataset.question}` : `b:${block.id.slice(2)}`);
  }

  frame.addEventListener("load", () => {
    const doc = player();
    if (!doc) return;
    new MutationObserver(pageChanged).observe(doc.getElementById("main"), { childList: true });
    doc.defaultView.addEventListener("scroll", schedule, { passive: true });
    doc.addEventListener("focusin", (event) => followFocus(event.target));
    for (const kind of ["timeupdate", "seeked", "loadedmetadata"]) doc.addEventListener(kind, fillTimes, true);
    pageChanged();
  });

  // ------------------------------------------------------------------ commenting
  ui.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!name) {
      ui.message.textContent = "Give your name first: it is shown with your comments.";
      ui.nameInput.focus();
      return;
    }
    const text = ui.body.value.trim();
    if (!text) {
      ui.message.textContent = "Write your comment first.";
      ui.body.focus();
      return;
    }
    const [kind, blockId, questionId] = ui.target.value.split(":");
    const body = { name, block_id: blockId, body: text };
    if (kind === "q") body.question_id = questionId;
    if (pinned && pinned.blockId === blockId) body.video_second = pinned.second;
    const button = ui.form.querySelector("button[type=submit]");
    button.disabled = true;
    const result = await call("POST", data.comments, body);
    button.disabled = false;
    if (!result.ok) {
      ui.message.textContent = problemText(result);
      return;
    }
    comments = result.body.comments;
    ui.body.value = "";
    pinned = null;
    showPin();
    renderList();
    ui.message.textContent = "Your comment is posted.";
  });

  async function reply(comment, textarea, state) {
    const text = textarea.value.trim();
    if (!name) {
      state.textContent = "Give your name first: it is shown with your replies.";
      ui.nameInput.focus();
      return;
    }
    if (!text) {
      state.textContent = "Write your reply first.";
      textarea.focus();
      return;
    }
    const result = await call("POST", `${data.comments}/${comment.id}/replies`, { name, body: text });
    if (!result.ok) {
      state.textContent = problemText(result);
      return;
    }
    comments = result.body.comments;
    renderList();
    const again = document.querySelector(`#comment-${comment.id} .reply-toggle`);
    if (again) again.focus();
    ui.listState.textContent = "Your reply is posted.";
  }

  // ------------------------------------------------------------------ the list
  function pinLabel(comment, withPage) {
    const parts = [];
    if (withPage && comment.page_title) parts.push(comment.page_title);
    parts.push(comment.block_label || comment.block_id);
    if (comment.question_label) parts.push(comment.question_label);
    let text = parts.join(" › ");
    if (comment.video_second !== null && comment.video_second !== undefined) text += ` at ${clock(comment.video_second)}`;
    return text;
  }

  const who = (row) => `${row.author} (${row.author_kind === "reviewer" ? "reviewer" : "course author"})`;
  const when = (iso) => el("time", { datetime: iso, text: `${iso.slice(0, 16).replace("T", " ")} UTC` });

  function commentItem(comment, withPage) {
    const state = el("p", { class: "reply-state", role: "status" });
    const textarea = el("textarea", { id: `reply-${comment.id}`, rows: "3", maxlength: String(ui.body.maxLength) });
    const replyForm = el(
      "form",
      { class: "reply-form", hidden: true, onsubmit: (event) => { event.preventDefault(); reply(comment, textarea, state); } },
      el("label", { for: textarea.id, text: `Your reply to ${comment.author}` }),
      textarea,
      el("button", { type: "submit", text: "Send reply" }),
    );
    const toggle = el("button", {
      type: "button",
      class: "reply-toggle",
      "aria-expanded": "false",
      "aria-controls": `reply-form-${comment.id}`,
      text: "Reply",
      onclick: () => {
        const open = replyForm.hidden;
        replyForm.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        if (open) textarea.focus();
      },
    });
    replyForm.id = `reply-form-${comment.id}`;
    const heading = `comment-${comment.id}-head`;
    return el(
      "li",
      { class: `comment comment-${comment.state}`, id: `comment-${comment.id}` },
      el("p", { class: "comment-meta", id: heading },
        el("strong", { text: who(comment) }), " on ", el("span", { class: "comment-pin-label", text: pinLabel(comment, withPage) })),
      el("p", { class: "comment-when meta" }, when(comment.created_at), comment.state === "resolved" ? " · resolved" : ""),
      el("p", { class: "comment-body", text: comment.body }),
      el("button", { type: "button", class: "show-in-course", text: "Show in the course", onclick: () => showInPlayer(comment) }),
      comment.replies.length
        ? el(
            "ol",
            { class: "replies", "aria-label": `Replies to ${comment.author}` },
            ...comment.replies.map((row) =>
              el("li", { class: "reply" }, el("p", { class: "comment-meta" }, el("strong", { text: who(row) }), " · ", when(row.created_at)),
                el("p", { class: "comment-body", text: row.body })),
            ),
          )
        : null,
      toggle,
      replyForm,
      state,
    );
  }

  function renderList() {
    const every = ui.every.checked;
    const shown = comments.filter((comment) => every || comment.page_id === pageId);
    ui.listTitle.textContent = every ? "On every page" : "On this page";
    ui.listState.textContent = shown.length ? plural(shown.length, "comment") : "No comments here yet.";
    ui.list.replaceChildren(...shown.map((comment) => commentItem(comment, every)));
  }

  ui.every.addEventListener("change", renderList);

  async function load() {
    const result = await call("GET", data.comments);
    if (!result.ok) {
      ui.listState.textContent = problemText(result);
      return;
    }
    comments = result.body.comments;
    renderList();
  }

  /** Others' comments and replies, fetched again now and then, unless the reviewer is in the
   * middle of one (a reply being typed is never redrawn away). */
  window.setInterval(() => {
    const typing = [...ui.list.querySelectorAll("textarea")].some((area) => area.value.trim());
    if (!typing && !ui.list.contains(document.activeElement)) load();
  }, REFRESH_MS);

  /** The comment's block on its page in the player (its question, its second), focused there. */
  async function showInPlayer(comment) {
    const doc = player();
    if (!doc || !comment.page_id) return;
    if (pageId !== comment.page_id) {
      const link = [...doc.querySelectorAll("a.menu-link[data-page]")].find((a) => a.dataset.page === comment.page_id);
      if (link) link.click();
      for (let waited = 0; waited < 5000 && pageId !== comment.page_id; waited += 50) {
        await new Promise((resolve) => window.setTimeout(resolve, 50));
        pageChanged();
      }
    }
    const block = doc.getElementById(`b-${comment.block_id}`);
    if (!block) return;
    const question = comment.question_id
      ? [...block.querySelectorAll("[data-question]")].find((node) => node.dataset.question === comment.question_id)
      : null;
    const place = question || block;
    const video = block.querySelector("video");
    if (video && comment.video_second !== null) video.currentTime = comment.video_second;
    if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
    place.scrollIntoView({ block: "start" });
    frame.focus();
    place.focus({ preventScroll: true });
    chosen = true;
    select(question ? `q:${comment.block_id}:${comment.question_id}` : `b:${comment.block_id}`);
  }

  // ------------------------------------------------------------------ start
  async function start() {
    showName();
    const result = await call("GET", data.api);
    if (!result.ok) {
      ui.message.textContent = problemText(result);
      return;
    }
    for (const page of result.body.pages) pages.set(page.id, page);
    pageChanged();
    await load();
  }

  start();
})();
