/**
 * createTracker(kind, options): the one door from the player to tracking. `kind` is course.json's
 * "tracking" ("scorm12" | "scorm2004" | "web"); options.course is the course.json object (read
 * from the page's #course-data script when not given). Everything standard-specific stays behind
 * the tracker interface this returns.
 */
import { dispatchTracking } from "./bridge.js";
import { Scorm12Tracker } from "./scorm12.js";
import { Scorm2004Tracker } from "./scorm2004.js";
import { WebTracker } from "./web.js";

function courseFromPage(win) {
  try {
    const node = win?.document?.getElementById("course-data");
    return node ? JSON.parse(node.textContent) : null;
  } catch {
    return null;
  }
}

const KINDS = { scorm12: Scorm12Tracker, scorm2004: Scorm2004Tracker, web: WebTracker };

/** A tracker of `kind`; an unknown kind is a publishing mistake, never a silent switch to another standard. */
export function createTracker(kind, options = {}) {
  kind = dispatchTracking(options.window ?? globalThis.window) ?? kind; // a dispatch frame tracks for its LMS
  const Tracker = Object.hasOwn(KINDS, kind) ? KINDS[kind] : null;
  if (!Tracker) throw new Error(`unknown tracking kind ${JSON.stringify(kind)}: expected one of ${Object.keys(KINDS).join(", ")}`);
  const win = options.window ?? globalThis.window;
  const course = options.course ?? courseFromPage(win);
  return new Tracker({ ...options, window: win, course });
}

export { Scorm12Tracker, Scorm2004Tracker, WebTracker };
