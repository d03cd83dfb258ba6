/**
 * A tracker that talks to an LMS's SCORM API object. It owns the calls themselves: every return
 * value is checked, and a failure is logged with GetLastError, GetErrorString and GetDiagnostic
 * (tracker.errors), never thrown. The SCORM 1.2 and 2004 modules subclass it with their element
 * names, vocabularies, formats and limits.
 */
import { findAPI } from "./discover.js";
import { oneLine } from "./formats.js";
import { NO_LMS_NOTICE, TrackerBase } from "./session.js";

export class ScormTracker extends TrackerBase {
  /**
   * @param {object} spec  apiName ("API" | "API_1484_11"); calls: {init, get, set, commit, finish,
   *   lastError, errorString, diagnostic} method names; finishAlternatives: other names an LMS
   *   gives its finish call; quietGetCodes: GetValue error codes that only mean "no value yet";
   *   alreadyInitializedCodes: Initialize error codes that mean the session is already open.
   * @param {object} options  window, course (course.json object), api (an API object to use
   *   instead of discovery), bridge (in a dispatch frame, the bridge's lookup of the LMS's API:
   *   see bridge.js bridgedAPI), and the discovery timing of TrackerBase.
   */
  constructor(spec, options = {}) {
    super(options);
    this.spec = spec;
    this.api = options.api || null;
    this.bridge = options.bridge || null;
    this.status = null;
    /** element -> the value the LMS holds, as read or written in this session: unchanged values are not sent again. */
    this.values = new Map();
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

  /** A typed answer longer than the LMS keeps is cut to fit, and tracker.errors says so. */
  noteCut(element, texts, max) {
    const longest = Math.max(0, ...texts.map((text) => oneLine(text).length));
    if (longest > max) {
      this.logError({ call: "recordInteraction", element, code: "truncated",
        message: `typed answer of ${longest} characters cut to the ${max} that ${element} holds` });
    }
  }

  has(method) {
    return Boolean(method) && typeof this.api?.[method] === "function";
  }

  /** Call an API method; null when the LMS lacks it or it threw (a cross-frame API gone away, a broken LMS). */
  call(method, ...args) {
    if (!this.has(method)) return null;
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

  /** Read an element; "" (and nothing logged) when the LMS says it has no value yet. */
  get(element) {
    const value = this.call(this.spec.calls.get, element);
    const code = this.lastError();
    if (code && code !== "0") {
      if (!this.spec.quietGetCodes.includes(code)) this.failure(this.spec.calls.get, element);
      return "";
    }
    const text = value === null || value === undefined ? "" : String(value);
    this.values.set(element, text);
    return text;
  }

  /** Write an element, unless the LMS already holds this very value. */
  set(element, value) {
    const text = String(value);
    if (this.values.get(element) === text) return true;
    this.dirty = true;
    if (ScormTracker.ok(this.call(this.spec.calls.set, element, text))) {
      this.values.set(element, text);
      return true;
    }
    this.values.delete(element);
    return this.failure(this.spec.calls.set, element, text);
  }

  /** Several sets; all are attempted, true only if all succeeded. */
  setAll(pairs) {
    let ok = true;
    for (const [element, value] of pairs) ok = this.set(element, value) && ok;
    return ok;
  }

  /** The name of the finish call this LMS offers (some misname it), or null: then a commit ends the session. */
  finishCall() {
    return [this.spec.calls.finish, ...this.spec.finishAlternatives].find((name) => this.has(name)) || null;
  }

  open() {
    const closed = (notice, noticeCode, extra = {}) => ({
      ok: false, resume: null, location: null, learnerName: null, learnerId: null, notice, noticeCode, ...extra });
    if (!this.api) {
      // In a dispatch frame the LMS's API comes over the bridge (null until the LMS side answers).
      const bridged = this.bridge ? this.bridge(this.spec.apiName, this.window) : undefined;
      this.api = bridged !== undefined ? bridged : findAPI(this.spec.apiName, this.window);
    }
    if (!this.api) return closed(NO_LMS_NOTICE, "no-lms", { retry: true });
    const { calls } = this.spec;
    const missing = [calls.commit, calls.finish, calls.lastError, calls.errorString, calls.diagnostic]
      .filter((name) => !this.has(name));
    if (missing.length) {
      const finish = missing.includes(calls.finish) ? this.finishCall() : calls.finish;
      this.logError({ call: "start", code: "api", message: `the LMS's ${this.spec.apiName} has no ${missing.join(", ")}`
        + (finish ? `; the session ends with ${finish}` : `; the session ends with ${this.has(calls.commit) ? calls.commit : "the last SetValue"}`) });
    }
    if (!ScormTracker.ok(this.call(calls.init, ""))) {
      const code = this.lastError();
      if (!this.spec.alreadyInitializedCodes.includes(code)) {
        this.failure(calls.init, "");
        return closed(`The LMS did not start a session (error ${code || "unknown"}): progress will not be saved`,
          "no-session", { lmsError: code || "unknown" });
      }
    }
    return { ok: true, notice: null, ...this.begin() };
  }

  persist() {
    if (!this.has(this.spec.calls.commit)) return true; // an LMS without Commit keeps each SetValue
    if (ScormTracker.ok(this.call(this.spec.calls.commit, ""))) return true;
    return this.failure(this.spec.calls.commit, "");
  }

  close(elapsedMs) {
    this.writeSessionTime(elapsedMs);
    this.writeExit();
    const committed = this.persist();
    const finish = this.finishCall();
    if (!finish) return committed;
    if (ScormTracker.ok(this.call(finish, ""))) return true;
    return this.failure(finish, "");
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
