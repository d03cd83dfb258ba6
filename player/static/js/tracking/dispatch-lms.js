/**
 * The dispatch bridge's LMS side (see bridge.js for the protocol and the origin checks): the
 * launch page of a dispatch package in the LMS frames the published course and makes the real
 * SCORM calls it asks for. Only dispatch packages ship it; the player never loads it.
 */
import { CHANNEL, PROTOCOL, STANDARDS, isMessage, originOf } from "./bridge.js";

const methodNames = (names) => [names.init, names.get, names.set, names.commit, ...names.finish,
  names.lastError, names.errorString, names.diagnostic];
const COMMIT_RETRY_MS = [500, 1000, 2000, 4000, 8000];
const DISCOVERY = { discoveryMs: 8000, pollMs: 200 };

/**
 * What the trackers' begin() reads, under the same conditions, as { element: [value, code] }.
 * `read` calls the LMS and returns [value, code].
 */
function readMirror(standard, read) {
  const values = {};
  const get = (element) => {
    values[element] = read(element);
    return values[element][1] === "0" ? values[element][0] : "";
  };
  if (standard === "scorm12") {
    const entry = get("cmi.core.entry");
    get("cmi.core.lesson_status");
    if (entry !== "ab-initio") {
      get("cmi.suspend_data");
      get("cmi.core.lesson_location");
    }
    get("cmi.core.student_name");
    get("cmi.core.student_id");
    get("cmi.interactions._count");
  } else {
    const entry = get("cmi.entry");
    const resumed = entry === "resume" || entry === "";
    if (resumed) {
      get("cmi.completion_status");
      get("cmi.success_status");
    }
    const suspend = resumed ? get("cmi.suspend_data") : "";
    if (suspend) get("cmi.location");
    get("cmi.learner_name");
    get("cmi.learner_id");
    const count = Number.parseInt(get("cmi.interactions._count"), 10) || 0;
    for (let i = 0; i < count; i++) get(`cmi.interactions.${i}.id`);
  }
  return values;
}

/**
 * Run the LMS side in `doc` (the dispatch package's launch page): its #dispatch-config names the
 * standard, the course's launch URL and the delivery origin; its #course iframe gets the course.
 * `findAPI` is the player's discovery (tracking/discover.js, shipped in the package).
 */
export function serveLMS(doc, findAPI, timing = DISCOVERY) {
  const win = doc.defaultView;
  const config = JSON.parse(doc.getElementById("dispatch-config").textContent);
  const names = STANDARDS[config.standard];
  const delivery = originOf(config.delivery);
  const frame = doc.getElementById("course");
  const notice = (text) => {
    const node = doc.getElementById("dispatch-notice");
    node.textContent = text;
    node.hidden = false;
  };
  const lmsOrigin = originOf(win.location.origin);
  if (!names || !delivery || !lmsOrigin) {
    notice(lmsOrigin ? "This package is damaged: rebuild it." : "This LMS serves packages without a web origin: the course cannot be shown.");
    return null;
  }
  const state = { api: null, opened: null, finished: false, dirty: false, retries: 0, retryTimer: null, refused: 0 };
  const has = (method) => typeof state.api?.[method] === "function";
  const call = (method, ...args) => {
    if (!has(method)) return null;
    try {
      return state.api[method](...args);
    } catch {
      return null;
    }
  };
  const code = () => String(call(names.lastError) ?? "0");
  const ok = (result) => result === true || String(result) === "true";
  const post = (message) => frame.contentWindow?.postMessage({ channel: CHANNEL, v: PROTOCOL, ...message }, delivery);
  const failed = (what, element) => {
    const error = code();
    post({ kind: "failed", call: what, element, code: error,
      message: String(call(names.errorString, error) ?? ""), diagnostic: String(call(names.diagnostic, error) ?? "") });
  };
  const finishCall = () => names.finish.find(has) || null;

  const open = () => {
    if (!state.opened) {
      const initialized = ok(call(names.init, ""));
      state.opened = { init: [initialized ? "true" : "false", code()] };
    }
    const methods = methodNames(names).filter(has);
    const values = readMirror(config.standard, (element) => {
      const value = call(names.get, element);
      return [value === null || value === undefined ? "" : String(value), code()];
    });
    post({ kind: "ready", found: true, standard: config.standard, methods, init: state.opened.init, values });
  };

  const commit = () => {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    if (!has(names.commit) || ok(call(names.commit, ""))) {
      state.dirty = false;
      state.retries = 0;
      return true;
    }
    failed(names.commit, "");
    const wait = COMMIT_RETRY_MS[Math.min(state.retries, COMMIT_RETRY_MS.length - 1)];
    state.retries += 1;
    state.retryTimer = setTimeout(() => { if (!state.finished && state.dirty) commit(); }, wait);
    return false;
  };

  const finish = () => {
    if (state.finished || !state.opened) return;
    state.finished = true;
    clearTimeout(state.retryTimer);
    if (state.dirty) commit();
    const name = finishCall();
    if (name && !ok(call(name, ""))) failed(name, "");
  };

  const perform = (data) => {
    if (state.finished || !state.opened) return;
    if (data.op === "set" && Array.isArray(data.args) && data.args.length === 2) {
      const [element, value] = data.args.map(String);
      state.dirty = true;
      if (!ok(call(names.set, element, value))) failed(names.set, element);
    } else if (data.op === "commit") {
      commit();
    } else if (data.op === "finish") {
      finish();
    }
  };

  const hello = () => {
    const began = Date.now();
    const attempt = () => {
      state.api = state.api || findAPI(names.api, win);
      if (state.api) return open();
      if (Date.now() - began < timing.discoveryMs) return setTimeout(attempt, timing.pollMs);
      return post({ kind: "ready", found: false });
    };
    attempt();
  };

  win.addEventListener("message", (event) => {
    if (event.origin !== delivery || event.source !== frame.contentWindow || !isMessage(event.data)) {
      state.refused += 1;
      return;
    }
    if (event.data.kind === "hello") hello();
    else if (event.data.kind === "call") perform(event.data);
  });
  // The content frame unloads after this page: what it had not sent by now is lost, so end the
  // session with what the LMS has (a final commit and finish), as the content would have.
  win.addEventListener("pagehide", finish);
  win.courseforgeDispatch = state;
  const launch = new URL(config.launch);
  launch.searchParams.set("dispatch", config.standard);
  launch.searchParams.set("lms", lmsOrigin);
  frame.setAttribute("src", launch.href);
  return state;
}
