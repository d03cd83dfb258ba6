/**
 * SCORM 2004 (4th edition) tracker: the tracker interface in the 2004 data model (separate
 * completion and success, scaled score, progress measure, ISO 8601 durations, "[,]"-delimited
 * responses, 64,000-character suspend data).
 */
import { decimal, isoDuration, isoTimestamp, lmsToken } from "./formats.js";
import { canonical, itemOrder, langString, scorm2004 as responses } from "./responses.js";
import { ScormTracker } from "./scorm-api.js";

/** The 2004 limits this tracker enforces (RTE 4.2, smallest permitted maximums). */
export const LIMITS = { suspendData: 64000, location: 1000, description: 250, response: 250, longResponse: 4000,
  correctPatterns: 5 };

const SPEC = {
  apiName: "API_1484_11",
  calls: {
    init: "Initialize",
    get: "GetValue",
    set: "SetValue",
    commit: "Commit",
    finish: "Terminate",
    lastError: "GetLastError",
    errorString: "GetErrorString",
    diagnostic: "GetDiagnostic",
  },
  finishAlternatives: [],
  // 403: "value not initialized", e.g. cmi.location on a first launch. It means "empty".
  quietGetCodes: ["403"],
  // 103: already initialized (the LMS frame kept the session of an earlier load of this page).
  alreadyInitializedCodes: ["103"],
};

export class Scorm2004Tracker extends ScormTracker {
  constructor(options = {}) {
    super(SPEC, options);
    this.kind = "scorm2004";
  }

  /**
   * cmi.entry first (RTE 4.2.10): a new attempt ("ab-initio") has no suspend data, location or
   * status of its own, and asking for them makes a strict LMS log error 403 against the content.
   * A resume ("resume", or "" from an LMS that does not set it) reads them; suspend data first,
   * and the location only when there is suspend data (this player always writes both).
   */
  begin() {
    const entry = this.get("cmi.entry");
    const resumed = entry === "resume" || entry === "";
    const completion = resumed ? this.get("cmi.completion_status") : "";
    const success = resumed ? this.get("cmi.success_status") : "";
    this.earned = { completed: completion === "completed", passed: success === "passed" || null };
    const suspend = resumed ? this.get("cmi.suspend_data") : "";
    const location = suspend ? this.get("cmi.location") : "";
    const learnerName = this.get("cmi.learner_name");
    const learnerId = this.get("cmi.learner_id");
    // Interactions are readable in 2004: answering a question again updates its own record.
    this.interactionCount = Number.parseInt(this.get("cmi.interactions._count"), 10) || 0;
    for (let i = 0; i < this.interactionCount; i++) {
      const id = this.get(`cmi.interactions.${i}.id`);
      if (id) this.interactionIndex.set(id, i);
    }
    if (completion === "" || completion === "unknown" || completion === "not attempted") {
      this.set("cmi.completion_status", "incomplete");
    }
    this.set("cmi.exit", "suspend");
    return { resume: suspend || null, location: location || null, learnerName: learnerName || null, learnerId: learnerId || null };
  }

  writeLocation(pageId) {
    return this.setWithin("setLocation", "cmi.location", pageId, LIMITS.location, "page id");
  }

  writeProgress({ visited, total }) {
    if (!(Number(total) > 0)) return true;
    return this.set("cmi.progress_measure", decimal(Number(visited) / Number(total), 4, 0, 1));
  }

  writeSuspendData(text) {
    return this.setWithin("setSuspendData", "cmi.suspend_data", text, LIMITS.suspendData, "suspend data");
  }

  sendScore({ raw, min = 0, max = 100, scaled }) {
    const pairs = [
      ["cmi.score.min", decimal(min, 4)],
      ["cmi.score.max", decimal(max, 4)],
      ["cmi.score.raw", decimal(raw, 4)],
    ];
    const s = scaled ?? (Number(max) > Number(min) ? (Number(raw) - Number(min)) / (Number(max) - Number(min)) : null);
    if (s !== null && s !== undefined && Number.isFinite(Number(s))) pairs.push(["cmi.score.scaled", decimal(s, 4, -1, 1)]);
    return this.setAll(pairs);
  }

  writeStatus({ completed = false, passed = null }) {
    const s = this.settle({ completed, passed });
    const ok = this.setAll([
      ["cmi.completion_status", s.completed ? "completed" : "incomplete"],
      ["cmi.success_status", s.passed === true ? "passed" : s.passed === false ? "failed" : "unknown"],
    ]);
    const released = this.releaseScore();
    return this.writeExit() && released && ok;
  }

  writeExit() {
    return this.set("cmi.exit", this.isDone() ? "normal" : "suspend");
  }

  writeSessionTime(ms) {
    return this.set("cmi.session_time", isoDuration(ms));
  }

  writeInteraction({ id, type, response, correct, result, weighting, latencyMs, description, caseSensitive }) {
    const key = lmsToken(id);
    const n = this.interactionSlot(key);
    const question = this.question(id);
    const matters = caseSensitive ?? question?.caseSensitive ?? false;
    const order = itemOrder(type, question, correct, response);
    const pairs = [
      [`${n}.id`, key],
      [`${n}.type`, type],
      [`${n}.timestamp`, isoTimestamp()],
    ];
    const text = description ?? question?.text;
    if (text) pairs.push([`${n}.description`, langString(text, LIMITS.description)]);
    responses.patterns(type, canonical(type, correct, order), matters).slice(0, LIMITS.correctPatterns)
      .forEach((pattern, i) => pairs.push([`${n}.correct_responses.${i}.pattern`, pattern]));
    pairs.push([`${n}.learner_response`, responses.response(type, canonical(type, response, order))]);
    if (type === "fill-in") this.noteCut(`${n}.learner_response`, [].concat(response ?? []), LIMITS.response);
    if (type === "long-fill-in") this.noteCut(`${n}.learner_response`, [[].concat(response ?? []).join(" ")], LIMITS.longResponse);
    pairs.push([`${n}.result`, ["correct", "neutral"].includes(result) ? result : "incorrect"]);
    if (weighting !== undefined && weighting !== null) pairs.push([`${n}.weighting`, decimal(weighting, 4)]);
    if (latencyMs !== undefined && latencyMs !== null) pairs.push([`${n}.latency`, isoDuration(latencyMs)]);
    return this.setAll(pairs);
  }
}
