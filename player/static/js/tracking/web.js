/**
 * Plain-web tracker: the tracker interface over the browser's localStorage, for courses published
 * as a website. One key per course id (not per version), so a republished course resumes.
 */
import { TrackerBase } from "./session.js";

export const STORAGE_PREFIX = "courseforge:";
/** This browser's learner, made once: it seeds shuffles and question draws as an LMS's learner id does. ("#" is in no course id.) */
export const LEARNER_KEY = `${STORAGE_PREFIX}#learner`;

function randomId() {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class WebTracker extends TrackerBase {
  constructor(options = {}) {
    super(options);
    this.kind = "web";
    this.key = STORAGE_PREFIX + (options.courseId || this.course?.id || "course");
    this.record = null;
  }

  storage() {
    return this.window?.localStorage ?? null;
  }

  open() {
    let stored = null;
    try {
      const storage = this.storage();
      if (!storage) throw new Error("localStorage is not available");
      stored = JSON.parse(storage.getItem(this.key) || "null");
      // A write proves storage works (it throws in some private modes and sandboxed frames).
      storage.setItem(this.key, JSON.stringify(stored || {}));
    } catch (error) {
      this.logError({ call: "start", element: this.key, code: "storage", message: String(error?.message ?? error) });
      return { ok: false, resume: null, location: null, learnerName: null, learnerId: null,
        notice: "This browser is not saving progress: it will be lost when the page closes", noticeCode: "no-storage" };
    }
    this.record = stored && typeof stored === "object" ? stored : {};
    this.record.interactions ||= {};
    const storage = this.storage();
    let learnerId = storage.getItem(LEARNER_KEY);
    if (!learnerId) storage.setItem(LEARNER_KEY, (learnerId = randomId()));
    return {
      ok: true,
      resume: typeof this.record.suspendData === "string" && this.record.suspendData ? this.record.suspendData : null,
      location: typeof this.record.location === "string" && this.record.location ? this.record.location : null,
      learnerName: null,
      learnerId,
      notice: null,
    };
  }

  /** Change one field of the stored record (marks it for the next commit). */
  put(field, value) {
    this.record[field] = value;
    this.dirty = true;
  }

  writeLocation(pageId) {
    this.put("location", pageId);
  }

  writeProgress({ visited, total }) {
    this.put("progress", { visited: Number(visited) || 0, total: Number(total) || 0 });
  }

  writeSuspendData(text) {
    this.put("suspendData", text);
  }

  writeScore({ raw, min = 0, max = 100, scaled = null }) {
    this.put("score", { raw, min, max, scaled });
  }

  writeStatus({ completed = false, passed = null }) {
    this.put("status", { completed: Boolean(completed), passed: passed ?? null });
  }

  writeInteraction({ id, type, response, result }) {
    this.put("interactions", { ...this.record.interactions,
      [String(id)]: { type, response, result, time: new Date().toISOString() } });
  }

  writeSessionTime(ms) {
    this.put("lastSessionMs", ms);
    this.put("updated", new Date().toISOString());
  }

  persist() {
    try {
      this.storage().setItem(this.key, JSON.stringify(this.record));
      return true;
    } catch (error) {
      return this.logError({ call: "commit", element: this.key, code: "storage", message: String(error?.message ?? error) });
    }
  }

  close(elapsedMs) {
    this.writeSessionTime(elapsedMs);
    return this.persist();
  }
}
