// The course page's Preview panel: the open page as learners see it, in the real player inside
// an LMS simulator (scorm-again, in a frame: live-preview-lms.js), beside the log of every SCORM
// call the player makes, as an LMS's debug log shows it.
//
// Each save that lands ("courseforge:revision") and each page opened in the editor asks the
// simulator to show the open page as the server now has it; the simulator redraws only that page
// in the running attempt. Each ask is a `preview-request` performance mark and, once the page is
// on screen, a `preview-refresh` measure from it (detail: revision, page, how), which the tests
// and the benchmark read.
"use strict";

(function () {
  const host = document.getElementById("live-preview");
  const editor = window.courseEditor;
  if (!host || !editor) return;
  const el = editor.el;
  const OPEN_KEY = "courseforge:live-preview-open";
  const STANDARDS = { scorm2004: "SCORM 2004", scorm12: "SCORM 1.2" };
  const LIMITS = { scorm12: 4096, scorm2004: 64000 };
  const FILTERS = {
    all: "All calls",
    Initialize: "Initialize",
    GetValue: "GetValue",
    SetValue: "SetValue",
    Commit: "Commit",
    Terminate: "Terminate",
    errors: "Calls that left an error",
  };
  const MAX_ROWS = 2000;
  const VALUE_SHOWN = 160;
  const number = new Intl.NumberFormat("en");

  let frame = null;
  let ready = false;
  let standard = "scorm2004";
  let shownPage = null;
  let tickets = 0;
  const asked = new Map(); // ticket -> {start, revision, page, cause}
  let pending = null; // what to ask once the simulator is ready
  let entries = [];

  // ------------------------------------------------------------------ the panel
  const toggle = el("button", { type: "button", class: "preview-toggle", "aria-expanded": "false", "aria-controls": "live-preview-body", text: "Show the preview" });
  const choice = el(
    "select",
    { id: "preview-standard", onchange: () => relaunch(choice.value) },
    ...Object.entries(STANDARDS).map(([value, label]) => el("option", { value, text: label })),
  );
  const restart = el("button", { type: "button", text: "Restart attempt", onclick: () => send({ type: "courseforge:preview-restart", page: editor.state.pageId }, "restart") });
  const state = el("p", { class: "preview-state", id: "preview-state" });
  const announcer = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const suspend = el("p", { class: "preview-suspend", id: "preview-suspend", text: "Suspend data: nothing sent yet." });
  const filter = el(
    "select",
    { id: "preview-filter", onchange: applyFilter },
    ...Object.entries(FILTERS).map(([value, label]) => el("option", { value, text: label })),
  );
  const copy = el("button", { type: "button", text: "Copy log", onclick: copyLog });
  const clear = el("button", { type: "button", text: "Clear log", onclick: clearLog });
  const rows = el("tbody", { id: "preview-calls" });
  const table = el(
    "table",
    { class: "preview-calls" },
    el("caption", { text: "SCORM calls, newest last" }),
    el("thead", {}, el("tr", {}, ...["#", "ms", "Call", "Element", "Value", "Returned", "Error"].map((text) => el("th", { scope: "col", text })))),
    rows,
  );
  const log = el("div", { class: "preview-log", tabindex: "0", role: "region", "aria-label": "SCORM call log" }, table);
  const stage = el("div", { class: "preview-stage" });
  const body = el(
    "div",
    { id: "live-preview-body", class: "preview-body", hidden: true },
    el(
      "div",
      { class: "preview-tools" },
      el("label", { for: "preview-standard", text: "Standard" }),
      choice,
      restart,
    ),
    state,
    stage,
    suspend,
    el(
      "div",
      { class: "preview-tools" },
      el("label", { for: "preview-filter", text: "Show" }),
      filter,
      copy,
      clear,
    ),
    log,
  );
  host.append(toggle, announcer, body);
  host.hidden = false;

  function say(text) {
    announcer.textContent = "";
    window.setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  function simulatorUrl(page) {
    const query = new URLSearchParams({ standard });
    if (page) query.set("page", page);
    return `${host.dataset.simulator}?${query}`;
  }

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide the preview" : "Show the preview";
    body.hidden = !open;
    host.classList.toggle("open", open);
    host.closest(".workspace")?.classList.toggle("previewing", open);
    try {
      localStorage.setItem(OPEN_KEY, open ? "1" : "");
    } catch (error) {
      // storage disabled: the panel opens closed next time
    }
    if (open) relaunch(standard);
    else {
      stage.replaceChildren();
      frame = null;
      ready = false;
    }
  }

  /** A new simulator (a new attempt) for `chosen`, at the open page; the simulator's first
   * showing answers the ask named "launch". */
  function relaunch(chosen) {
    standard = chosen;
    ready = false;
    pending = null;
    shownPage = editor.state.pageId;
    const detail = { ticket: "launch", revision: window.courseforge.head, page: shownPage, cause: "launch" };
    asked.set("launch", { start: performance.mark("preview-request", { detail }).startTime, ...detail });
    frame = el("iframe", {
      class: "preview-frame",
      title: `LMS simulator: the open page as learners see it (${STANDARDS[standard]})`,
      src: simulatorUrl(shownPage),
    });
    stage.replaceChildren(frame);
    state.textContent = `Launching the course in ${STANDARDS[standard]}…`;
  }

  function mark(revision, page, cause) {
    const ticket = ++tickets;
    const start = performance.mark("preview-request", { detail: { ticket, revision, page, cause } }).startTime;
    asked.set(ticket, { start, revision, page, cause });
    return ticket;
  }

  /** Ask the simulator to show the open page (now, or once it is ready). */
  function send(message, cause, revision = null) {
    if (!frame) return;
    const ticket = mark(revision, editor.state.pageId, cause);
    const full = { ...message, ticket };
    if (ready) frame.contentWindow.postMessage(full, window.location.origin);
    else pending = full;
  }

  function showOpenPage(cause, revision) {
    shownPage = editor.state.pageId;
    send({ type: "courseforge:preview-show", page: shownPage }, cause, revision);
  }

  // ------------------------------------------------------------------ what the simulator says
  window.addEventListener("message", (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== window.location.origin) return;
    const message = event.data || {};
    if (message.type === "courseforge:lms-ready") {
      ready = true;
      if (pending) frame.contentWindow.postMessage(pending, window.location.origin);
      pending = null;
    } else if (message.type === "courseforge:lms-call") addCall(message.call);
    else if (message.type === "courseforge:lms-launch") addLaunch(message);
    else if (message.type === "courseforge:preview-shown") shown(message);
    else if (message.type === "courseforge:preview-failed") {
      state.textContent = `The preview could not be shown: ${message.detail}`;
      for (const ticket of message.tickets || []) asked.delete(ticket);
    }
  });

  function shown(message) {
    const end = performance.mark("preview-shown", { detail: { page: message.page, revision: message.revision } }).startTime;
    let took = null;
    for (const ticket of message.tickets || []) {
      const request = asked.get(ticket);
      asked.delete(ticket);
      if (!request) continue;
      const detail = { ticket, page: message.page, revision: message.revision, how: message.how, cause: request.cause };
      performance.measure("preview-refresh", { start: request.start, end, detail });
      took = took === null ? end - request.start : Math.max(took, end - request.start);
    }
    const title = (id) => editor.locate("page", id)?.item.title || id || "no page";
    const showing = `Showing '${title(message.page)}' at revision ${message.revision}`;
    if (message.opened === false) {
      state.textContent = `${showing}: '${title(message.wanted)}' is not open to learners yet in this attempt (the course's navigation is linear).`;
    } else {
      state.textContent = `${showing} (${message.how}${took === null ? "" : `, ${Math.round(took)} ms`}).`;
    }
  }

  // ------------------------------------------------------------------ the log
  const canonical = (method) => method.replace(/^LMS/, "").replace(/^Finish$/, "Terminate");

  function matches(entry, wanted) {
    if (entry.launch) return true;
    if (wanted === "all") return true;
    if (wanted === "errors") return entry.error !== null && entry.error !== "0";
    return canonical(entry.method) === wanted;
  }

  function applyFilter() {
    const wanted = filter.value;
    for (const row of rows.children) row.hidden = !matches(row.entry, wanted);
  }

  function shortened(text) {
    return text.length > VALUE_SHOWN ? `${text.slice(0, VALUE_SHOWN)}…` : text;
  }

  function suspendNote(chars) {
    const of12 = `${number.format(Math.round((chars / LIMITS.scorm12) * 100))}% of SCORM 1.2's ${number.format(LIMITS.scorm12)}`;
    const of2004 = `${number.format(Math.round((chars / LIMITS.scorm2004) * 100))}% of SCORM 2004's ${number.format(LIMITS.scorm2004)}`;
    const over = chars > LIMITS.scorm12 ? ": over the SCORM 1.2 limit" : "";
    return `${number.format(chars)} characters (${of12}, ${of2004})${over}`;
  }

  function addRow(entry, row) {
    row.entry = entry;
    row.hidden = !matches(entry, filter.value);
    rows.append(row);
    entries.push(entry);
    while (rows.children.length > MAX_ROWS) {
      rows.firstElementChild.remove();
      entries.shift();
    }
    log.scrollTop = log.scrollHeight;
  }

  function addCall(call) {
    const failed = call.error !== null && call.error !== "0";
    const value = el("td", { class: "value", text: shortened(call.value) });
    if (call.suspend !== undefined) {
      const note = suspendNote(call.suspend);
      value.append(el("span", { class: `size${call.suspend > LIMITS.scorm12 ? " over" : ""}`, text: ` [${note}]` }));
      suspend.textContent = `Suspend data: ${note}.`;
      suspend.classList.toggle("over", call.suspend > LIMITS.scorm12);
    }
    const row = el(
      "tr",
      { class: failed ? "failed" : null },
      el("td", { text: String(call.n) }),
      el("td", { text: String(call.at) }),
      el("td", { text: call.method }),
      el("td", { class: "element", text: call.element }),
      value,
      el("td", { text: shortened(call.result) }),
      el("td", { text: call.error === null ? "–" : call.message ? `${call.error} ${call.message}` : call.error }),
    );
    addRow(call, row);
  }

  function addLaunch(message) {
    const text =
      `Attempt ${message.attempt}, ${STANDARDS[message.standard]}: launched at revision ${message.revision}, ` +
      `cmi.entry ${message.entry} (${message.reason})`;
    addRow({ launch: true, text }, el("tr", { class: "launch" }, el("td", { colspan: "7", text })));
    say(text);
  }

  function clearLog() {
    rows.replaceChildren();
    entries = [];
    say("The log is cleared.");
  }

  async function copyLog() {
    const wanted = filter.value;
    const lines = [["#", "ms", "call", "element", "value", "returned", "error"].join("\t")];
    for (const entry of entries) {
      if (!matches(entry, wanted)) continue;
      if (entry.launch) lines.push(entry.text);
      else lines.push([entry.n, entry.at, entry.method, entry.element, entry.value, entry.result, entry.error === null ? "" : `${entry.error} ${entry.message}`.trim()].join("\t"));
    }
    try {
      await navigator.clipboard.writeText(lines.join("\n") + "\n");
      say(`Copied ${lines.length - 1} line${lines.length === 2 ? "" : "s"} of the log.`);
    } catch (error) {
      say("The browser did not let the log be copied: select the table and copy it instead.");
    }
  }

  // ------------------------------------------------------------------ what the editor does
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("courseforge:revision", (event) => {
    if (frame) showOpenPage("edit", event.detail.revision);
  });
  editor.onRender(() => {
    if (frame && editor.state.pageId && editor.state.pageId !== shownPage) showOpenPage("page", null);
  });
  let open = false;
  try {
    open = localStorage.getItem(OPEN_KEY) === "1";
  } catch (error) {
    open = false;
  }
  if (open) document.addEventListener("DOMContentLoaded", () => setOpen(true));
})();
