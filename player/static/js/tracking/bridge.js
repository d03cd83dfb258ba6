/**
 * The dispatch bridge: a SCORM package of a few kilobytes in the LMS (the "LMS side") frames the
 * published course on the delivery origin (the "content side") and lends it the LMS's SCORM API
 * over postMessage. Publishing a new version changes what every LMS shows, with no re-upload.
 *
 * The SCORM API is synchronous and postMessage is not, so the content side never waits for the
 * LMS: at the start the LMS side opens the session and reads what the trackers read (the same
 * elements, under the same conditions, so a strict LMS sees the same calls as from a full
 * package), and sends that mirror. The content side's API object answers GetValue from the
 * mirror and forwards SetValue, Commit and Terminate in order; the LMS side makes the real calls,
 * retries a refused commit with growing waits, and reports failures back (bridge errors). If
 * the learner leaves before the content's finish arrives, the LMS side commits and finishes.
 *
 * Origins are checked both ways: the LMS side accepts messages only from its own frame's window
 * on the delivery origin baked into the package; the content side only from its parent window on
 * the LMS origin it was launched for (checked against location.ancestorOrigins where the browser
 * has it; the delivery's CSP frame-ancestors keeps other sites from framing it at all). Every
 * message is posted to one exact origin, never "*". Anything else is counted and ignored.
 *
 * This module is the content side, loaded by the player only in a dispatch frame; the LMS side
 * is dispatch-lms.js, shipped only in dispatch packages.
 */

export const CHANNEL = "courseforge-dispatch";
export const PROTOCOL = 1;
export const STANDARDS = {
  scorm12: {
    api: "API", init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
    finish: ["LMSFinish", "LMSTerminate"], lastError: "LMSGetLastError", errorString: "LMSGetErrorString",
    diagnostic: "LMSGetDiagnostic", unset: "401",
  },
  scorm2004: {
    api: "API_1484_11", init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
    finish: ["Terminate"], lastError: "GetLastError", errorString: "GetErrorString",
    diagnostic: "GetDiagnostic", unset: "403",
  },
};

export const isMessage = (data) => Boolean(data) && typeof data === "object" && data.channel === CHANNEL && data.v === PROTOCOL;

/** `value` when it is exactly an http(s) origin, else null. */
export function originOf(value) {
  try {
    const url = new URL(String(value));
    return /^https?:$/.test(url.protocol) && url.origin === value ? value : null;
  } catch {
    return null;
  }
}

// -------------------------------------------------------------------------- content side
/** The LMS's API as the content sees it: answers from the mirror, writes forwarded in order. */
class RemoteAPI {
  constructor(names, ready, post) {
    const mirror = new Map(Object.entries(ready.values || {}));
    let lastError = "0";
    let open = true;
    const done = (result, error = "0") => {
      lastError = error;
      return result;
    };
    const handlers = {
      [names.init]: () => done(ready.init[0], ready.init[1]),
      [names.get]: (element) => {
        const [value, code] = mirror.get(String(element)) || ["", names.unset];
        return done(value, code);
      },
      [names.set]: (element, value) => {
        if (!open) return done("false", names.unset);
        mirror.set(String(element), [String(value), "0"]);
        post({ kind: "call", op: "set", args: [String(element), String(value)] });
        return done("true");
      },
      [names.commit]: () => {
        if (!open) return done("false", names.unset);
        post({ kind: "call", op: "commit" });
        return done("true");
      },
      [names.lastError]: () => lastError,
      [names.errorString]: () => "",
      [names.diagnostic]: () => "",
    };
    for (const name of names.finish) {
      handlers[name] = () => {
        if (!open) return done("false", names.unset);
        open = false;
        post({ kind: "call", op: "finish" });
        return done("true");
      };
    }
    for (const name of ready.methods || []) {
      if (Object.hasOwn(handlers, name)) this[name] = handlers[name];
    }
  }
}

let bridge = null;

/** Read the dispatch launch parameters of `win` once: { standard, lms } or null. */
function launchParameters(win) {
  try {
    const query = new URLSearchParams(win.location.search);
    const standard = query.get("dispatch");
    if (!standard) return null;
    return { standard, lms: originOf(query.get("lms")) };
  } catch {
    return null;
  }
}

/** Start the content side in `win` (once): say hello to the LMS side and wait for its mirror. */
function connect(win) {
  const launch = launchParameters(win);
  if (!launch) return null;
  const names = STANDARDS[launch.standard] || null;
  const parent = win.parent !== win ? win.parent : null;
  const ancestors = win.location.ancestorOrigins;
  const expected = ancestors && ancestors.length ? ancestors[0] === launch.lms : true;
  const state = { standard: names ? launch.standard : null, names, api: null, ended: false, refused: 0, errors: [] };
  if (!names || !launch.lms || !parent || !expected) {
    state.ended = true; // launched with parameters that do not hold: act as if no LMS were there
    state.errors.push({ call: "dispatch", code: "origin", message: "dispatch parameters refused" });
    return state;
  }
  const post = (message) => parent.postMessage({ channel: CHANNEL, v: PROTOCOL, ...message }, launch.lms);
  win.addEventListener("message", (event) => {
    if (event.origin !== launch.lms || event.source !== parent || !isMessage(event.data)) {
      state.refused += 1;
      return;
    }
    const data = event.data;
    if (data.kind === "ready" && !state.api && !state.ended) {
      if (data.found && data.standard === launch.standard) state.api = new RemoteAPI(names, data, post);
      else state.ended = true;
    } else if (data.kind === "failed") {
      state.errors.push({ call: String(data.call), element: String(data.element ?? ""), code: String(data.code),
        message: String(data.message ?? ""), diagnostic: String(data.diagnostic ?? "") });
      if (state.errors.length > 200) state.errors.splice(0, state.errors.length - 200);
    }
  });
  post({ kind: "hello" });
  return state;
}

function bridgeOf(win) {
  if (!win) return null;
  if (!bridge || bridge.window !== win) bridge = { window: win, state: connect(win) };
  return bridge.state;
}

/** The standard a dispatch frame runs ("scorm12" | "scorm2004"), or null outside one. */
export function dispatchTracking(win = globalThis.window) {
  return bridgeOf(win)?.standard ?? null;
}

/**
 * For discovery: undefined outside a dispatch frame (look for the API as usual); inside one,
 * the bridged API once the LMS side has answered, else null (the tracker keeps looking).
 */
export function bridgedAPI(name, win = globalThis.window) {
  const state = bridgeOf(win);
  if (!state) return undefined;
  return state.names?.api === name ? state.api : null;
}

/** What the content side has refused and the LMS has reported failed, for diagnostics. */
export function bridgeReport(win = globalThis.window) {
  const state = bridgeOf(win);
  return state ? { standard: state.standard, connected: Boolean(state.api), ended: state.ended,
    refused: state.refused, errors: [...state.errors] } : null;
}
