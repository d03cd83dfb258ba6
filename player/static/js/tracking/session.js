/**
 * What every tracker shares: the tracker interface's lifecycle (start once, commit, finish exactly
 * once, also on `pagehide`, flush on `visibilitychange` to hidden), batching of commits and a log
 * of errors. Nothing here knows a SCORM element name; the standards' modules fill that in.
 *
 * Every public method is synchronous, returns a boolean (start() an object) and never throws:
 * a broken LMS must not break the course.
 */

export const NO_LMS_NOTICE = "No LMS found: progress will not be saved";

export class TrackerBase {
  constructor({ window: win = globalThis.window, course = null } = {}) {
    this.window = win;
    this.course = course;
    /** Failures, newest last: { call, element, value, code, message, diagnostic }. */
    this.errors = [];
    this.active = false;
    this.finished = false;
    this.startedAt = 0;
    this.dirty = false;
    this.commitScheduled = false;
    this.startResult = null;
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

  start() {
    if (this.startResult) return this.startResult;
    const result = this.guard("start", () => this.open(), null) || {
      ok: false,
      resume: null,
      location: null,
      learnerName: null,
      notice: NO_LMS_NOTICE,
    };
    this.startResult = result;
    this.active = Boolean(result.ok);
    if (this.active) {
      this.startedAt = Date.now();
      try {
        this.window?.addEventListener?.("pagehide", this.onPageHide);
        this.window?.document?.addEventListener?.("visibilitychange", this.onVisibility);
      } catch {
        // no window events (tests in a worker): finish() must then be called explicitly
      }
      if (this.dirty) this.scheduleCommit();
    }
    return result;
  }

  /** Milliseconds since start(): the session time the standards ask for. */
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

  /** Run a writing method: false when there is no session, true only if every write succeeded. */
  write(call, fn) {
    if (!this.active) return false;
    return this.guard(call, () => {
      const ok = fn() !== false;
      this.dirty = true;
      return ok;
    });
  }

  setLocation(pageId) {
    return this.write("setLocation", () => {
      const ok = this.writeLocation(String(pageId ?? ""));
      this.scheduleCommit();
      return ok;
    });
  }

  setProgress(progress) {
    return this.write("setProgress", () => this.writeProgress(progress || {}));
  }

  setSuspendData(text) {
    return this.write("setSuspendData", () => this.writeSuspendData(String(text ?? "")));
  }

  recordInteraction(interaction) {
    return this.write("recordInteraction", () => {
      const ok = this.writeInteraction(interaction || {});
      this.scheduleCommit();
      return ok;
    });
  }

  setScore(score) {
    return this.write("setScore", () => this.writeScore(score || {}));
  }

  setStatus(status) {
    return this.write("setStatus", () => this.writeStatus(status || {}));
  }

  commit() {
    if (!this.active) return false;
    if (!this.dirty) return true;
    return this.guard("commit", () => {
      const ok = this.persist();
      if (ok) this.dirty = false;
      return ok;
    });
  }

  /** Save what we have now (session time included) without ending the session. */
  flush() {
    if (!this.active) return false;
    return this.guard("flush", () => {
      this.writeSessionTime(this.elapsed());
      this.dirty = true;
      return this.commit();
    });
  }

  /** End the session exactly once; later calls (pagehide after an exit button) return true. */
  finish() {
    if (this.finished) return true;
    if (!this.active) return false;
    this.finished = true;
    this.active = false;
    this.window?.removeEventListener?.("pagehide", this.onPageHide);
    this.window?.document?.removeEventListener?.("visibilitychange", this.onVisibility);
    return this.guard("finish", () => this.close(this.elapsed()));
  }
}
