/**
 * A tracker that talks to an LMS's SCORM API object. It owns the calls themselves: every return
 * value is checked, and a failure is logged with GetLastError, GetErrorString and GetDiagnostic
 * (tracker.errors), never thrown. The SCORM 1.2 and 2004 modules subclass it with their element
 * names, vocabularies, formats and limits.
 */
import { findAPI } from "./discover.js";
import { NO_LMS_NOTICE, TrackerBase } from "./session.js";

export class ScormTracker extends TrackerBase {
  /**
   * @param {object} spec  apiName ("API" | "API_1484_11"); calls: {init, get, set, commit, finish,
   *   lastError, errorString, diagnostic} method names; quietGetCodes: GetValue error codes that
   *   only mean "no value yet".
   * @param {object} options  window, course (course.json object), api (an API object to use
   *   instead of discovery).
   */
  constructor(spec, options = {}) {
    super(options);
    this.spec = spec;
    this.api = options.api || null;
    this.status = null;
    // question id -> its cmi.interactions index, so a re-answered question updates its own record.
    this.interactionIndex = new Map();
    this.interactionCount = 0;
  }

  /**
   * Set an element the standard limits in length, or log the refusal and send nothing: an LMS
   * would cut the value or reject it, and either way corrupt it.
   */
  setWithin(call, element, value, limit, what) {
    if (value.length > limit) {
      return this.logError({ call, element, code: "limit",
        message: `${what} is ${value.length} characters, over the limit of ${limit} for ${element}: not sent` });
    }
    return this.set(element, value);
  }

  /** The "cmi.interactions.N" prefix for a question's record, appending a new one the first time. */
  interactionSlot(key) {
    if (!this.interactionIndex.has(key)) this.interactionIndex.set(key, this.interactionCount++);
    return `cmi.interactions.${this.interactionIndex.get(key)}`;
  }

  /** Call an API method; null when it threw (a cross-frame API gone away, a broken LMS). */
  call(method, ...args) {
    try {
      return this.api[method](...args);
    } catch (error) {
      this.logError({ call: method, element: args[0], code: "exception", message: String(error?.message ?? error) });
      return null;
    }
  }

  lastError() {
    const code = this.call(this.spec.calls.lastError);
    return code === null || code === undefined ? "" : String(code);
  }

  /** Log the LMS's own account of the failure of `method`. */
  failure(method, element, value) {
    const code = this.lastError();
    const message = code ? String(this.call(this.spec.calls.errorString, code) ?? "") : "";
    const diagnostic = code ? String(this.call(this.spec.calls.diagnostic, code) ?? "") : "";
    return this.logError({ call: method, element, value, code, message, diagnostic });
  }

  /** True when the API answered "true" (string, as the standards say, or boolean). */
  static ok(result) {
    return result === true || String(result) === "true";
  }

  get(element) {
    const value = this.call(this.spec.calls.get, element);
    const code = this.lastError();
    if (code && code !== "0") {
      if (!this.spec.quietGetCodes.includes(code)) this.failure(this.spec.calls.get, element);
      return "";
    }
    return value === null || value === undefined ? "" : String(value);
  }

  set(element, value) {
    const text = String(value);
    if (ScormTracker.ok(this.call(this.spec.calls.set, element, text))) return true;
    return this.failure(this.spec.calls.set, element, text);
  }

  /** Several sets; all are attempted, true only if all succeeded. */
  setAll(pairs) {
    let ok = true;
    for (const [element, value] of pairs) ok = this.set(element, value) && ok;
    return ok;
  }

  open() {
    const closed = (notice) => ({ ok: false, resume: null, location: null, learnerName: null, notice });
    if (!this.api) this.api = findAPI(this.spec.apiName, this.window);
    if (!this.api) return closed(NO_LMS_NOTICE);
    if (!ScormTracker.ok(this.call(this.spec.calls.init, ""))) {
      const code = this.lastError();
      if (!this.spec.alreadyInitializedCodes.includes(code)) {
        this.failure(this.spec.calls.init, "");
        return closed(`The LMS did not start a session (error ${code || "unknown"}): progress will not be saved`);
      }
    }
    return { ok: true, notice: null, ...this.begin() };
  }

  persist() {
    if (ScormTracker.ok(this.call(this.spec.calls.commit, ""))) return true;
    return this.failure(this.spec.calls.commit, "");
  }

  close(elapsedMs) {
    this.writeSessionTime(elapsedMs);
    this.writeExit();
    this.persist();
    if (ScormTracker.ok(this.call(this.spec.calls.finish, ""))) return true;
    return this.failure(this.spec.calls.finish, "");
  }

  /**
   * The status to report: what the player says, never less than what the LMS already recorded
   * when the session started. A course republished with a page added must not take "completed"
   * or "passed" away from a learner who earned it.
   */
  settle({ completed = false, passed = null }) {
    const earned = this.earned || {};
    this.status = {
      completed: Boolean(completed) || Boolean(earned.completed),
      passed: passed === true || earned.passed === true ? true : passed === false ? false : null,
    };
    return this.status;
  }

  /**
   * A score reaches the LMS only once the quizzes have decided pass or fail. Until then it is a
   * partial score (unsubmitted quizzes count zero), and an LMS with a mastery score (1.2) or a
   * scaled passing score (2004) would judge the learner failed from it after the first quiz.
   */
  writeScore(score) {
    this.pendingScore = score;
    return this.releaseScore();
  }

  /** Send the held-back score once a status has decided pass or fail (and only if it changed). */
  releaseScore() {
    if (!this.pendingScore || !this.status || this.status.passed === null) return true;
    const key = JSON.stringify(this.pendingScore);
    if (key === this.sentScore) return true;
    const ok = this.sendScore(this.pendingScore);
    if (ok) this.sentScore = key;
    return ok;
  }

  /**
   * The exit mode that keeps resume working everywhere: "suspend" while anything is left to do
   * (LMSs keep suspend data and location and relaunch with entry "resume" only after a suspend);
   * a normal exit once the course is completed and not failed, so the attempt can close.
   */
  isDone() {
    const s = this.status;
    return Boolean(s && s.completed && s.passed !== false);
  }

  /** The course.json question with this id, if the course was given. */
  question(id) {
    for (const quiz of this.course?.quizzes || []) {
      for (const q of quiz.questions || []) if (q.id === id) return q;
    }
    return null;
  }
}
