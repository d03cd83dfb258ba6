/**
 * createTracker(kind, options): the one door from the player to tracking, a Promise of the
 * tracker. `kind` is course.json's "tracking" ("scorm12" | "scorm2004" | "web"); options.course is
 * the course.json object (read from the page's #course-data script when not given). Everything
 * standard-specific stays behind the tracker interface it gives.
 *
 * Only the adapter of `kind` is downloaded: a web package's learner never fetches SCORM code, a
 * SCORM package's learner never the dispatch bridge. The web form framed by a dispatch package
 * (``?dispatch=<standard>``) loads the bridge, and tracks in its LMS's standard through it.
 */
const ADAPTERS = {
  scorm12: () => import("./scorm12.js").then((module) => module.Scorm12Tracker),
  scorm2004: () => import("./scorm2004.js").then((module) => module.Scorm2004Tracker),
  web: () => import("./web.js").then((module) => module.WebTracker),
};

function courseFromPage(win) {
  try {
    const node = win?.document?.getElementById("course-data");
    return node ? JSON.parse(node.textContent) : null;
  } catch {
    return null;
  }
}

function dispatchLaunch(win) {
  try {
    return new URLSearchParams(win.location.search).has("dispatch");
  } catch {
    return false;
  }
}

/** A tracker of `kind`; an unknown kind is a publishing mistake, never a silent switch to another standard. */
export async function createTracker(kind, options = {}) {
  const win = options.window ?? globalThis.window;
  let bridge = null;
  if (kind === "web" && win && dispatchLaunch(win)) { // a dispatch package frames the published web form
    const { bridgedAPI, dispatchTracking } = await import("./bridge.js");
    const standard = dispatchTracking(win); // a dispatch frame tracks for its LMS
    if (standard) [kind, bridge] = [standard, bridgedAPI];
  }
  if (!Object.hasOwn(ADAPTERS, kind)) {
    throw new Error(`unknown tracking kind ${JSON.stringify(kind)}: expected one of ${Object.keys(ADAPTERS).join(", ")}`);
  }
  const Tracker = await ADAPTERS[kind]();
  const course = options.course ?? courseFromPage(win);
  return new Tracker({ ...options, window: win, course, ...(bridge ? { bridge } : {}) });
}
