// What every part of the course editor shares: calls to the JSON API with the page's CSRF token,
// the connection state the author sees, and autosave that never loses more than the last moment
// of typing.
//
// A saver keeps each change in localStorage the instant it is made (a closed tab or a crash keeps
// it), sends it after a short pause in typing and at least every MAX_WAIT_MS while typing goes
// on, retries while the editor is offline, and sends what is left with `keepalive` when the page
// is hidden or closed. Every save carries the revision its value was based on, so the server
// merges it with other authors' saves or answers 409 with both versions.
"use strict";

(function () {
  const root = document.getElementById("course");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const courseApi = root ? root.dataset.api : "";
  const courseKey = root ? `courseforge:${root.dataset.courseId}:` : "courseforge:";
  const IDLE_MS = 500;
  const MAX_WAIT_MS = 1500;
  const RETRY_MS = [1000, 2000, 4000, 8000];
  const savers = new Set();
  let online = true;
  let head = root ? Number(root.dataset.revision) : 0;

  function setOnline(value) {
    if (online === value) return;
    online = value;
    document.body.dataset.connection = value ? "online" : "offline";
    const banner = document.getElementById("connection");
    if (banner) banner.hidden = value;
    document.dispatchEvent(new CustomEvent("courseforge:connection", { detail: { online: value } }));
    if (value) for (const saver of savers) saver.retryNow();
  }

  function noteRevision(revision) {
    if (typeof revision !== "number" || revision <= head) return;
    head = revision;
    document.dispatchEvent(new CustomEvent("courseforge:revision", { detail: { revision } }));
  }

  /** One call to the API: `path` relative to this course's API (`blocks/t-x`, or "" for the
   * course itself) or absolute (`/api/...`). Never throws: a network failure is `{ok: false, status: 0, offline: true}`. */
  async function api(method, path, body, options = {}) {
    const url = path === "" ? courseApi : path.startsWith("/") ? path : `${courseApi}/${path}`;
    const init = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrf }, keepalive: !!options.keepalive };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      setOnline(false);
      return { ok: false, status: 0, offline: true, body: { detail: "the editor cannot be reached" } };
    }
    setOnline(true);
    const data = await response.json().catch(() => ({}));
    if (response.ok) noteRevision(data.revision);
    else if (typeof data.head_revision === "number") noteRevision(data.head_revision);
    return { ok: response.ok, status: response.status, body: data };
  }

  function readDraft(key) {
    try {
      const text = localStorage.getItem(courseKey + key);
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null; // storage disabled or a damaged entry: nothing to restore
    }
  }

  function writeDraft(key, draft) {
    try {
      if (draft === null) localStorage.removeItem(courseKey + key);
      else localStorage.setItem(courseKey + key, JSON.stringify(draft));
    } catch (error) {
      // storage full or disabled: the change still goes to the server as usual
    }
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  /**
   * Autosave of one element's value.
   *   key: names the element in this course ("block:t-welcome"), for its local draft.
   *   base: the revision the value on screen was loaded at.
   *   send(value, base, options): the API call, `api(...)` passing `options` on.
   *   on.saved(body, value) / on.conflict(body, value) / on.invalid(body, value) / on.state(text, kind)
   * Returns {change(value), flush(), rebase(revision), restore(serverValue), retryNow(), dispose()}.
   */
  function saver({ key, base, send, on = {} }) {
    let wanted = null; // the latest value not yet saved, or null
    let inFlight = false;
    let timer = null;
    let firstUnsaved = 0;
    let retries = 0;
    let blocked = false; // waiting for the author (a conflict, an invalid value)
    const state = (text, kind) => on.state && on.state(text, kind);

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(push, delay);
    }

    async function push(options = {}) {
      clearTimeout(timer);
      if (wanted === null || inFlight || blocked) return;
      const value = wanted;
      inFlight = true;
      state(online ? "Saving…" : "Offline: your changes are kept in this browser.", online ? "saving" : "offline");
      const result = await send(value, self.base, options);
      inFlight = false;
      if (result.ok) {
        retries = 0;
        self.base = result.body.revision ?? self.base;
        if (same(wanted, value)) {
          wanted = null;
          writeDraft(key, null);
          state(result.body.merged ? "Saved (merged with other changes)." : "Saved.", "saved");
        } else {
          writeDraft(key, { value: wanted, base: self.base });
          schedule(IDLE_MS);
        }
        if (on.saved) on.saved(result.body, value);
      } else if (result.status === 0 || result.status >= 500 || result.status === 429) {
        state("Offline: your changes are kept in this browser and saved when the editor is back.", "offline");
        schedule(RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)]);
      } else if (result.status === 409) {
        blocked = true;
        state("Not saved: someone else changed this meanwhile. Your version is kept here.", "conflict");
        if (on.conflict) on.conflict(result.body, value);
      } else if (result.status === 401) {
        state("Not saved: you are signed out. Sign in again in another tab; your changes are kept here.", "error");
        schedule(RETRY_MS[RETRY_MS.length - 1]);
      } else {
        // An invalid value waits for the author's next change, unless that change came while
        // this one was on its way: then the newer value is tried at once.
        const newer = !same(wanted, value);
        blocked = on.invalid !== undefined && result.status === 422 && !newer;
        state(`Not saved yet: ${result.body.detail || `the editor answered ${result.status}`}`, "invalid");
        if (on.invalid) on.invalid(result.body, value);
        if (newer) schedule(IDLE_MS);
      }
    }

    const self = {
      base,
      get pending() {
        return wanted !== null;
      },
      /** The author changed the value: keep it locally now, save it soon. */
      change(value) {
        const now = Date.now();
        if (wanted === null) firstUnsaved = now;
        wanted = value;
        blocked = false;
        writeDraft(key, { value, base: self.base });
        state("Unsaved changes…", "pending");
        schedule(now - firstUnsaved >= MAX_WAIT_MS ? 0 : Math.min(IDLE_MS, MAX_WAIT_MS - (now - firstUnsaved)));
      },
      flush(options) {
        return push(options);
      },
      /** After a conflict: the author's value is now based on `revision` (keep mine). */
      rebase(revision) {
        self.base = revision;
        blocked = false;
        if (wanted !== null) writeDraft(key, { value: wanted, base: revision });
      },
      /** After a conflict: the author took the other version; nothing of theirs is pending. */
      discard(revision) {
        self.base = revision;
        wanted = null;
        blocked = false;
        writeDraft(key, null);
        state("Their version loaded.", "saved");
      },
      /** On mount: a draft left by a closed tab, if it differs from `serverValue`, is sent
       * again with the revision it was based on, and returned so the editor shows it. */
      restore(serverValue) {
        const draft = readDraft(key);
        if (!draft || same(draft.value, serverValue)) {
          writeDraft(key, null);
          return null;
        }
        self.base = draft.base;
        wanted = draft.value;
        firstUnsaved = Date.now();
        state("Restored your unsaved changes from this browser; saving…", "pending");
        schedule(0);
        return draft.value;
      },
      retryNow() {
        if (wanted !== null && !inFlight) schedule(0);
      },
      dispose() {
        clearTimeout(timer);
        savers.delete(self);
      },
    };
    savers.add(self);
    return self;
  }

  window.addEventListener("online", () => setOnline(true));
  window.addEventListener("offline", () => setOnline(false));
  // A hidden or closing page sends what is left; the drafts stay in case that send is lost too.
  window.addEventListener("pagehide", () => {
    for (const one of savers) if (one.pending) one.flush({ keepalive: true });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") for (const one of savers) if (one.pending) one.flush({ keepalive: true });
  });
  window.addEventListener("beforeunload", (event) => {
    for (const one of savers) if (one.pending) event.preventDefault();
  });
  if (!navigator.onLine) setOnline(false);

  /** An element with text only (never HTML from data): props set attributes, ``text`` its text,
   * ``class``, ``value``, ``dataset`` and ``on<event>`` handlers; children appended, empty ones skipped. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "value") node.value = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  window.courseforge = {
    el,
    api,
    saver,
    readDraft,
    get head() {
      return head;
    },
    noteRevision,
    get online() {
      return online;
    },
  };
})();
