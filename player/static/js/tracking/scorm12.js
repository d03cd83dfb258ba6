/**
 * SCORM 1.2 tracker: the tracker interface in the 1.2 data model (cmi.core.*, one lesson_status
 * field, CMITimespan times, single-character responses, 4,096-character suspend data).
 */
import { cmiTime, cmiTimespan, decimal, lmsToken } from "./formats.js";
import { canonical, itemOrder, scorm12 as responses } from "./responses.js";
import { ScormTracker } from "./scorm-api.js";

/** The 1.2 limits this tracker enforces (RTE 3.4.2). */
/** The player's results in 1.2's vocabulary (an unscored answer is "neutral"). */
const RESULTS = { correct: "correct", incorrect: "wrong", neutral: "neutral" };

export const LIMITS = { suspendData: 4096, location: 255, response: 255, correctPatterns: 5 };

const SPEC = {
  apiName: "API",
  calls: {
    init: "LMSInitialize",
    get: "LMSGetValue",
    set: "LMSSetValue",
    commit: "LMSCommit",
    finish: "LMSFinish",
    lastError: "LMSGetLastError",
    errorString: "LMSGetErrorString",
    diagnostic: "LMSGetDiagnostic",
  },
  // wagtail-lms 0.11.1 names its finish call LMSTerminate.
  finishAlternatives: ["LMSTerminate"],
  // 401: an optional element (interactions) the LMS does not implement; writes still report it.
  quietGetCodes: ["401"],
  alreadyInitializedCodes: [],
};

export class Scorm12Tracker extends ScormTracker {
  constructor(options = {}) {
    super(SPEC, options);
    this.kind = "scorm12";
  }

  /**
   * cmi.core.entry first: suspend data and location belong to a resumed attempt only. An LMS
   * that leaves entry empty on a relaunch is still asked (1.2 answers an unset element with "",
   * not an error); only "ab-initio", a new attempt, skips them.
   */
  begin() {
    const resumed = this.get("cmi.core.entry") !== "ab-initio";
    const lessonStatus = this.get("cmi.core.lesson_status");
    const suspend = resumed ? this.get("cmi.suspend_data") : "";
    const location = resumed ? this.get("cmi.core.lesson_location") : "";
    const learnerName = this.get("cmi.core.student_name");
    const learnerId = this.get("cmi.core.student_id");
    // Interactions are write-only in 1.2: new records go after the ones already stored.
    this.interactionCount = Number.parseInt(this.get("cmi.interactions._count"), 10) || 0;
    this.earned = { completed: ["completed", "passed"].includes(lessonStatus), passed: lessonStatus === "passed" || null };
    if (lessonStatus === "" || lessonStatus === "not attempted") this.set("cmi.core.lesson_status", "incomplete");
    this.set("cmi.core.exit", "suspend");
    return { resume: suspend || null, location: location || null, learnerName: learnerName || null, learnerId: learnerId || null };
  }

  writeLocation(pageId) {
    return this.setWithin("setLocation", "cmi.core.lesson_location", pageId, LIMITS.location, "page id");
  }

  writeProgress() {
    return true; // SCORM 1.2 has no progress element; completion carries it.
  }

  writeSuspendData(text) {
    return this.setWithin("setSuspendData", "cmi.suspend_data", text, LIMITS.suspendData, "suspend data");
  }

  sendScore({ raw, min = 0, max = 100 }) {
    return this.setAll([
      ["cmi.core.score.min", decimal(min, 2, 0, 100)],
      ["cmi.core.score.max", decimal(max, 2, 0, 100)],
      ["cmi.core.score.raw", decimal(raw, 2, 0, 100)],
    ]);
  }

  /**
   * One field carries both completion and success in 1.2: passed/failed once the quiz decides,
   * completed when there is nothing to pass, incomplete until then.
   */
  writeStatus({ completed = false, passed = null }) {
    const s = this.settle({ completed, passed });
    const value = s.passed === false ? "failed" : !s.completed ? "incomplete" : s.passed ? "passed" : "completed";
    const ok = this.set("cmi.core.lesson_status", value);
    const released = this.releaseScore();
    return this.writeExit() && released && ok;
  }

  writeExit() {
    return this.set("cmi.core.exit", this.isDone() ? "" : "suspend");
  }

  writeSessionTime(ms) {
    return this.set("cmi.core.session_time", cmiTimespan(ms));
  }

  writeInteraction({ id, type, response, correct, result, weighting, latencyMs }) {
    const key = lmsToken(id);
    const n = this.interactionSlot(key);
    const order = itemOrder(type, this.question(id), correct, response);
    // 1.2 has no long-fill-in: a written answer is a fill-in, cut to the 255 characters it keeps.
    const kind = type === "long-fill-in" ? "fill-in" : type;
    const pairs = [
      [`${n}.id`, key],
      [`${n}.type`, kind],
      [`${n}.time`, cmiTime()],
    ];
    responses.patterns(kind, canonical(kind, correct, order), order).slice(0, LIMITS.correctPatterns)
      .forEach((pattern, i) => pairs.push([`${n}.correct_responses.${i}.pattern`, pattern]));
    pairs.push([`${n}.student_response`, responses.response(kind, canonical(kind, response, order), order)]);
    if (kind === "fill-in") this.noteCut(`${n}.student_response`, [[].concat(response ?? []).join(" ")], LIMITS.response);
    pairs.push([`${n}.result`, RESULTS[result] ?? "wrong"]);
    if (weighting !== undefined && weighting !== null) pairs.push([`${n}.weighting`, decimal(weighting, 4)]);
    if (latencyMs !== undefined && latencyMs !== null) pairs.push([`${n}.latency`, cmiTimespan(latencyMs)]);
    return this.setAll(pairs);
  }
}
