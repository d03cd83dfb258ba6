/**
 * What every tracker shares: the tracker interface's lifecycle (start once, commit, finish exactly
 * once, also on `pagehide`, flush on `visibilitychange` to hidden), batching of commits, retrying
 * a commit the LMS refused, and a log of errors. Nothing here knows a SCORM element name; the
 * standards' modules fill that in.
 *
 * Starting may take a while: some LMS players create their API object a second or more after the
 * content has loaded. start() therefore looks again and again for `discoveryMs`, and resolves as
 * soon as a session is open, the search gave up, or `graceMs` passed (then `pending` is true and
 * the search goes on). Writes made while the search goes on are kept, and sent once the LMS is
 * found: interactions in order; for the other kinds the latest value, unless a listener (see
 * onSession) has already sent a newer one.
 *
 * Every other public method is synchronous, returns a boolean and never throws: a broken LMS must
 * not break the course.
 */

export const NO_LMS_NOTICE = "No LMS found: progress will not be saved";

/** How long to keep looking for the LMS, how long start() waits before the course goes on. */
export const DISCOVERY = { discoveryMs: 8000, graceMs: 1500, pollMs: 200 };

/** Waits before retrying a commit the LMS refused; the last one repeats while changes are unsaved. */
const COMMIT_RETRY_MS = [500, 1000, 2000, 4000, 8000];

/** Calls that carry a state the next call of the same kind replaces (interactions are events). */
const STATE_CALLS = new Set(["setLocation", "setProgress", "setSuspendData", "setScore", "setStatus"]);

/** A session that did not open; ``noticeCode`` names the notice for a translated interface. */
const closedSession = (notice, noticeCode = "no-lms") => ({
  ok: false, pending: false, resume: null, location: null, learnerName: null, learnerId: null, notice, noticeCode,
});

export class TrackerBase {
  constructor({ window: win = globalThis.window, course = null, ...timing } = {}) {
    this.window = win;
    this.course = course;
    this.timing = { ...DISCOVERY, ...timing };
    /** Failures, newest last: { call, element, value, code, message, diagnostic }. */
    this.errors = [];
    this.active = false;
    this.searching = false;
    this.abandoned = false;
    this.finished = false;
    this.startedAt = 0;
    this.dirty = false;
    this.commitScheduled = false;
    this.commitFailures = 0;
    this.retryTimer = null;
    this.started = null;
    this.listeners = [];
    this.queue = [];
    this.sentSinceOpen = new Set();
    this.onPageHide = () => this.finish();
    this.onVisibility = () => {
      if (this.window?.document?.visibilityState === "hidden") this.flush();
    };
  }

  /** Record a failure; capped so a looping error cannot grow without bound. */
  logError(entry) {
    this.errors.push({ time: new Date().toISOString(), ...entry });
    if (this.errors.length > 200) this.errors.splice(0, this.errors.length - 200);
    return false;
  }

  /** Wrap a public method: no exception ever reaches the UI. */
  guard(call, fn, fallback = false) {
    try {
      return fn();
    } catch (error) {
      return this.logError({ call, code: "exception", message: String(error?.message ?? error) }) || fallback;
    }
  }

  /**
   * Open the session: a Promise of { ok, pending, resume, location, learnerName, learnerId, notice }.
   * Called again, it returns the same Promise.
   */
  start() {
    if (!this.started) this.started = new Promise((resolve) => this.search(resolve));
    return this.started;
  }

  /** `fn(session)` is called when the session changes after start() resolved: found late, or given up. */
  onSession(fn) {
    this.listeners.push(fn);
  }

  /** Try to open at once, then every pollMs until discoveryMs; resolve start() at the first outcome or after graceMs. */
  search(resolve) {
    const began = Date.now();
    let resolved = false;
    const settle = (session) => {
      if (!resolved) {
        resolved = true;
        resolve(session);
      } else {
        for (const fn of this.listeners) this.guard("onSession", () => fn(session));
      }
    };
    const attempt = () => {
      if (this.abandoned) {
        this.searching = false;
        this.queue = [];
        return settle(closedSession(NO_LMS_NOTICE));
      }
      const result = this.guard("start", () => this.open(), null) || closedSession(NO_LMS_NOTICE);
      if (result.ok) {
        this.searching = false;
        this.activate();
        settle({ pending: false, ...result });
        this.replay();
        return undefined;
      }
      const waited = Date.now() - began;
      if (result.retry && waited < this.timing.discoveryMs) {
        this.searching = true;
        if (!resolved && waited >= this.timing.graceMs) settle({ ...closedSession(null), pending: true });
        setTimeout(attempt, this.timing.pollMs);
        return undefined;
      }
      this.searching = false;
      this.queue = [];
      const { retry, ...session } = result;
      return settle({ ...session, pending: false });
    };
    attempt();
  }

  activate() {
    this.active = true;
    this.startedAt = Date.now();
    try {
      this.window?.addEventListener?.("pagehide", this.onPageHide);
      this.window?.document?.addEventListener?.("visibilitychange", this.onVisibility);
    } catch {
      // no window events (tests in a worker): finish() must then be called explicitly
    }
    if (this.dirty) this.scheduleCommit();
  }

  /** Send what was recorded while the LMS was being looked for (see the module comment). */
  replay() {
    const queued = this.queue;
    this.queue = [];
    const latest = new Map();
    for (const [call, args] of queued) {
      if (STATE_CALLS.has(call)) latest.set(call, args);
      else this[call](...args);
    }
    for (const [call, args] of latest) if (!this.sentSinceOpen.has(call)) this[call](...args);
  }

  /** Milliseconds since the session opened: the session time the standards ask for. */
  elapsed() {
    return this.startedAt ? Date.now() - this.startedAt : 0;
  }

  /** Commit at the end of the current task, so one page change or answer makes one commit. */
  scheduleCommit() {
    if (!this.active || this.commitScheduled) return;
    this.commitScheduled = true;
    queueMicrotask(() => {
      this.commitScheduled = false;
      if (this.active) this.commit();
    });
  }

  /**
   * Run a writing method: false when there is no session, true only if every write succeeded.
   * While the LMS is still being looked for, the call is kept for later and counts as done.
   */
  write(call, args, fn) {
    if (this.searching && !this.active) {
      this.queue.push([call, args]);
      return true;
    }
    if (!this.active) return false;
    this.sentSinceOpen.add(call);
    return this.guard(call, () => fn() !== false);
  }

  setLocation(pageId) {
    return this.write("setLocation", [pageId], () => {
      const ok = this.writeLocation(String(pageId ?? ""));
      this.scheduleCommit();
      return ok;
    });
  }

  setProgress(progress) {
    return this.write("setProgress", [progress], () => this.writeProgress(progress || {}));
  }

  setSuspendData(text) {
    return this.write("setSuspendData", [text], () => this.writeSuspendData(String(text ?? "")));
  }

  recordInteraction(interaction) {
    return this.write("recordInteraction", [interaction], () => {
      const ok = this.writeInteraction(interaction || {});
      this.scheduleCommit();
      return ok;
    });
  }

  setScore(score) {
    return this.write("setScore", [score], () => this.writeScore(score || {}));
  }

  setStatus(status) {
    return this.write("setStatus", [status], () => this.writeStatus(status || {}));
  }

  /** Make the LMS keep what was written; a refused commit is retried with growing waits. */
  commit() {
    if (this.searching && !this.active) return true;
    if (!this.active) return false;
    if (!this.dirty) return true;
    return this.guard("commit", () => {
      const ok = this.persist();
      if (ok) {
        this.dirty = false;
        this.commitFailures = 0;
      } else {
        this.retryLater();
      }
      return ok;
    });
  }

  retryLater() {
    if (this.retryTimer !== null) return;
    const wait = COMMIT_RETRY_MS[Math.min(this.commitFailures, COMMIT_RETRY_MS.length - 1)];
    this.commitFailures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.active && this.dirty) this.commit();
    }, wait);
  }

  /** Save what we have now (session time included) without ending the session. */
  flush() {
    if (!this.active) return false;
    return this.guard("flush", () => {
      this.writeSessionTime(this.elapsed());
      return this.commit();
    });
  }

  /** End the session exactly once; later calls (pagehide after an exit button) return true. */
  finish() {
    if (this.finished) return true;
    if (!this.active) {
      if (this.searching) this.abandoned = true; // the learner has left: stop looking
      return false;
    }
    this.finished = true;
    this.active = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.window?.removeEventListener?.("pagehide", this.onPageHide);
    this.window?.document?.removeEventListener?.("visibilitychange", this.onVisibility);
    return this.guard("finish", () => this.close(this.elapsed()));
  }
}
