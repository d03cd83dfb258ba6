// The LMS simulator of the live preview: scorm-again provides the SCORM API in this window, as an
// LMS's player page does, and the course's player (the SCO) runs in the frame below. The SCO never
// sees scorm-again itself but a wrapper that passes every call on and reports it to the editor's
// preview panel (the page framing this one): the method, the element and value, what it returned,
// the error code it left with its message, and for suspend data its size.
//
// The panel asks for a page ("courseforge:preview-show"); the page is fetched again and shown in
// the running player, so the attempt, its answers and its log go on. Only when the launch page
// itself changed (a page added or renamed, a quiz changed: its ETag says so) is the SCO launched
// again, resuming from what the LMS kept, as an LMS relaunches it. "courseforge:preview-restart"
// starts a new attempt from nothing.

const root = document.getElementById("lms");
const frame = document.getElementById("sco");
const config = root.dataset;
const standard = config.standard;
const METHODS = {
  scorm12: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
  scorm2004: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"],
};
const NAMES = {
  scorm12: { global: "API", lastError: "LMSGetLastError", errorString: "LMSGetErrorString", finish: "LMSFinish" },
  scorm2004: { global: "API_1484_11", lastError: "GetLastError", errorString: "GetErrorString", finish: "Terminate" },
};
const INSPECT = /GetLastError|GetErrorString|GetDiagnostic/;
const ELEMENT_CALLS = /GetValue|SetValue/;
const SHOWN_TIMEOUT_MS = 5000;
const names = NAMES[standard];

let API = null; // scorm-again's class for the standard
let api = null; // this attempt's instance
let attempt = 0;
let calls = 0;
let attemptStart = 0;
let terminated = false;
let launchedTag = null; // the ETag of the launch page the SCO runs

function tell(message) {
  if (window.parent !== window) window.parent.postMessage(message, window.location.origin);
}

/** The API object the SCO finds: scorm-again behind a wrapper that reports every call. */
function logged(instance) {
  const exposed = {};
  for (const method of METHODS[standard]) {
    exposed[method] = (...args) => {
      const result = instance[method](...args);
      const inspect = INSPECT.test(method);
      const error = inspect ? null : String(instance[names.lastError]());
      const call = {
        n: ++calls,
        at: Math.round(performance.now() - attemptStart),
        method,
        element: ELEMENT_CALLS.test(method) || inspect ? String(args[0] ?? "") : "",
        value: method.endsWith("SetValue") ? String(args[1] ?? "") : "",
        result: String(result),
        error,
        message: error && error !== "0" ? String(instance[names.errorString](error)) : "",
      };
      if (call.element === "cmi.suspend_data") call.suspend = (method.endsWith("SetValue") ? call.value : call.result).length;
      if (method === names.finish && call.result === "true") terminated = true;
      tell({ type: "courseforge:lms-call", call });
      return result;
    };
  }
  return exposed;
}

/** What the LMS keeps of the attempt, as plain JSON (the harness of the tests reads it the same way). */
function kept() {
  return JSON.parse(JSON.stringify(api.renderCMIToJSONObject())).cmi;
}

/** The frame emptied, so the running SCO gets its pagehide and ends its session as on any unload. */
function unload() {
  return new Promise((resolve) => {
    if (!frame.getAttribute("src")) {
      resolve();
      return;
    }
    frame.addEventListener("load", () => resolve(), { once: true });
    frame.setAttribute("src", "about:blank");
  });
}

/** The launch page's ETag (and the revision it is at), asked without loading it. */
async function launchTag() {
  const answer = await fetch(config.player, { method: "HEAD", cache: "no-store", credentials: "same-origin" });
  if (!answer.ok) throw new Error(`the player answered ${answer.status}`);
  return { tag: answer.headers.get("ETag"), revision: Number(answer.headers.get("X-Courseforge-Revision")) };
}

/** The SCO launched in the frame with a new API: resuming from what the LMS kept of the attempt
 * that ran (`resume`), or a new attempt. Resolves with the page it shows first. */
async function launch(resume, reason) {
  await unload(); // first: the SCO that ran ends its session, and what it sent last is kept
  const cmi = resume && api ? kept() : null;
  const data = cmi || {};
  const entry = cmi ? "resume" : "ab-initio";
  if (standard === "scorm12") {
    data.core = { ...(data.core || {}), student_id: config.learnerId, student_name: config.learnerName, entry };
  } else {
    Object.assign(data, { learner_id: config.learnerId, learner_name: config.learnerName, entry });
  }
  api = new API({ lmsCommitUrl: false, logLevel: 5, autocommit: false, mastery_override: true });
  api.loadFromJSON(data);
  terminated = false;
  if (!cmi) attempt += 1;
  const { tag, revision } = await launchTag();
  launchedTag = tag;
  tell({ type: "courseforge:lms-launch", attempt, standard, entry, reason, revision });
  attemptStart = performance.now();
  window[names.global] = logged(api);
  const shown = new Promise((resolve) => {
    frame.addEventListener("load", () => resolve(pageShown(frame.contentDocument, null, null)), { once: true });
  });
  frame.setAttribute("src", config.player);
  return shown;
}

function articleOf(doc) {
  return doc?.getElementById("main")?.querySelector(":scope > article.page") || null;
}

/** Resolves with the id of the page the player shows once it shows a new page (`page`, when
 * given), as the next frame begins; or, after SHOWN_TIMEOUT_MS, with whatever it shows then. */
function pageShown(doc, before, page) {
  return new Promise((resolve) => {
    const main = doc.getElementById("main");
    let observer = null;
    let timer = null;
    const check = (force) => {
      const article = articleOf(doc);
      const fresh = article && article !== before && (!page || article.dataset.page === page);
      if (!fresh && !force) return;
      observer.disconnect();
      clearTimeout(timer);
      doc.defaultView.requestAnimationFrame(() => resolve(articleOf(doc)?.dataset.page || null));
    };
    observer = new MutationObserver(() => check(false));
    observer.observe(main, { childList: true });
    timer = setTimeout(() => check(true), SHOWN_TIMEOUT_MS);
    check(false);
  });
}

/** The player's frame showing `page` as the server has it now: in the running SCO when its
 * launch page is still the server's, else in the SCO launched again. */
async function show(page) {
  const { tag, revision } = await launchTag();
  let shownPage = articleOf(frame.contentDocument)?.dataset.page || null;
  let how = "in place";
  if (!api) {
    how = "launched";
    shownPage = await launch(false, attempt ? "restarted" : "opened");
  } else if (terminated || tag !== launchedTag || !shownPage) {
    how = "relaunched";
    shownPage = await launch(true, terminated ? "the attempt had ended" : "the course's outline changed");
  }
  let opened = true;
  if (page && (how === "in place" || shownPage !== page)) {
    const doc = frame.contentDocument;
    const before = articleOf(doc);
    doc.dispatchEvent(new doc.defaultView.CustomEvent("courseforge:preview-page", { detail: page }));
    // The player marks its page area busy at once when it goes to a page; it does not when the
    // page is not open to the learner yet (linear navigation), and keeps showing the one it has.
    opened = doc.getElementById("main").getAttribute("aria-busy") === "true";
    if (opened) shownPage = await pageShown(doc, before, page);
  }
  return { page: shownPage, wanted: page, opened, revision, how };
}

// One page shown at a time; asks that come meanwhile are answered together by the next one.
let wanted = null;
let running = false;

async function drain() {
  running = true;
  while (wanted) {
    const job = wanted;
    wanted = null;
    try {
      const done = await show(job.page);
      tell({ type: "courseforge:preview-shown", tickets: job.tickets, ...done });
    } catch (error) {
      tell({ type: "courseforge:preview-failed", tickets: job.tickets, detail: String(error.message || error) });
    }
  }
  running = false;
}

function ask(page, ticket) {
  wanted = { page, tickets: [...(wanted ? wanted.tickets : []), ticket] };
  if (!running) drain();
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || event.origin !== window.location.origin) return;
  const message = event.data || {};
  if (message.type === "courseforge:preview-show") ask(String(message.page || ""), message.ticket);
  else if (message.type === "courseforge:preview-restart") {
    api = null; // so the next launch starts a new attempt
    ask(String(message.page || ""), message.ticket);
  }
});

async function start() {
  const module = await import(config.apiModule);
  API = standard === "scorm12" ? module.Scorm12API : module.Scorm2004API;
  tell({ type: "courseforge:lms-ready", standard });
  ask(config.page, "launch");
}

start();
