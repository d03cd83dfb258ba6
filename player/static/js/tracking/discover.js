/**
 * Finding the LMS's SCORM API object, the way the ADL run-time environment prescribes: the API
 * lives in some ancestor window (the LMS frameset) or in the window that opened ours (pop-up
 * launch). Walk the parent chain a bounded number of hops, then the opener and its parents.
 * A cross-origin frame on the way throws on property access: it is skipped, never fatal.
 */
/** ADL's hop limits: 7 parents in SCORM 1.2's sample code, 500 in SCORM 2004's. */
export const MAX_HOPS = { API: 7, API_1484_11: 500 };

/**
 * The methods that record progress: an object with these is the LMS's API, even when it lacks or
 * misnames others (an API with LMSTerminate instead of LMSFinish still records everything).
 * Content from other tools only checks that the object exists; asking for more would turn
 * tracking off in LMSs that do track.
 */
export const REQUIRED = {
  API: ["LMSInitialize", "LMSGetValue", "LMSSetValue"],
  API_1484_11: ["Initialize", "GetValue", "SetValue"],
};

function apiIn(win, name) {
  try {
    const api = win[name];
    if (api && REQUIRED[name].every((method) => typeof api[method] === "function")) return api;
  } catch {
    // cross-origin window: its properties are out of reach; keep walking
  }
  return null;
}

function parentOf(win) {
  try {
    const parent = win.parent;
    return parent && parent !== win ? parent : null;
  } catch {
    return null;
  }
}

function openerOf(win) {
  try {
    return win.opener || null;
  } catch {
    return null;
  }
}

/** Look in `win` and up its parent chain, at most `maxHops` parents. */
function scan(win, name, maxHops) {
  for (let hops = 0; win && hops <= maxHops; hops++) {
    const api = apiIn(win, name);
    if (api) return api;
    win = parentOf(win);
  }
  return null;
}

/**
 * The API object named `name` ("API" for SCORM 1.2, "API_1484_11" for SCORM 2004) visible from
 * `start`, or null. Order: this window and its parents; then the opener of this window and of
 * the top window, each with its parents.
 */
export function findAPI(name, start = globalThis.window, maxHops = MAX_HOPS[name] ?? 500) {
  if (!start || !REQUIRED[name]) return null;
  const found = scan(start, name, maxHops);
  if (found) return found;
  let top = null;
  try {
    top = start.top;
  } catch {
    top = null;
  }
  for (const win of [start, top]) {
    const opener = win ? openerOf(win) : null;
    const api = opener ? scan(opener, name, maxHops) : null;
    if (api) return api;
  }
  return null;
}
