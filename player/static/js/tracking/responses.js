/**
 * Interaction answers as the standards spell them. The tracker interface hands over answers in
 * the player's own shapes (the `correct` shapes of course.json); these functions turn one into
 * SCORM 1.2 or SCORM 2004 response strings, one function per interaction type and version.
 */
import { decimal, lmsToken, oneLine, truncate } from "./formats.js";

/** SCORM 1.2 choice/sequencing/matching targets: single characters 0-9 and a-z. */
const LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
/** SCORM 1.2 matching sources ("1.a,2.c" in the standard's examples): digits first. */
const SOURCES = "123456789abcdefghijklmnopqrstuvwxyz0";

const asList = (value) => (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]);
const unique = (list) => [...new Set(list)];

/**
 * The ids an interaction's answers are drawn from, in authored order: from the course.json
 * question when there is one, else from the correct answer followed by anything else answered.
 */
export function itemOrder(type, question, correct, response) {
  if (question) {
    if (type === "choice" && question.choices) return question.choices.map((c) => c.id);
    if (type === "matching" && Array.isArray(question.correct)) return question.correct.map((p) => p[0]);
    if (type === "sequencing" && Array.isArray(question.correct)) return question.correct.slice();
  }
  if (type === "matching") {
    return unique([...asList(correct), ...asList(response)].flatMap((pair) => asList(pair)));
  }
  return unique([...asList(correct), ...asList(response)].map(String));
}

/**
 * Sets in a canonical order (authored order of the items): a multiple choice or a matching
 * answer reads the same in LMS reports however the choices were shuffled on screen.
 */
export function canonical(type, value, order) {
  const rank = (id) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  if (type === "choice" && Array.isArray(value)) return [...value].sort((a, b) => rank(a) - rank(b));
  if (type === "matching" && Array.isArray(value)) return [...value].sort((a, b) => rank(a[0]) - rank(b[0]));
  return value;
}

/** Answers in SCORM 1.2 formats (RTE 3.4.2.7): single characters, "," and "." separators. */
export const scorm12 = {
  response(type, value, order) {
    const letter = (id) => LETTERS[order.indexOf(id)];
    switch (type) {
      case "true-false":
        return value === true || value === "true" ? "t" : "f";
      case "choice":
      case "sequencing":
        return asList(value).map(letter).filter(Boolean).join(",");
      case "matching":
        return asList(value)
          .filter((pair) => order.includes(pair[0]) && order.includes(pair[1]))
          .map((pair) => `${SOURCES[order.indexOf(pair[0])]}.${letter(pair[1])}`)
          .join(",");
      case "fill-in":
        return truncate(oneLine(asList(value).join(" ")), 255);
      case "numeric":
        return decimal(value, 7);
      case "likert": // one character (RTE 3.4.2.7.7): the point, 1 for the lowest, as "1"-"9", "a", "b"
        return SOURCES[Number(value) - 1] ?? "";
      default:
        return truncate(oneLine(String(value ?? "")), 255);
    }
  },

  /** Correct-response patterns; a set that must be chosen whole is wrapped in {} (RTE 3.4.2.7.7). */
  patterns(type, correct, order) {
    if (type === "fill-in") return asList(correct).slice(0, 5).map((s) => truncate(oneLine(s), 255));
    // 1.2 has no ranges: an exact answer is its pattern, a range has none (the result still says).
    if (type === "numeric") return correct && correct.min === correct.max ? [decimal(correct.min, 7)] : [];
    if (type === "likert") return []; // an opinion has no correct response
    const pattern = this.response(type, correct, order);
    if ((type === "choice" || type === "matching") && asList(correct).length > 1) return [`{${pattern}}`];
    return [pattern];
  },
};

/** A SCORM 2004 localized string: one line, no leading "{" (that starts a {lang=} tag), max chars. */
export function langString(text, max) {
  return truncate(oneLine(text).replace(/\[[,.]\]/g, (m) => m[1]).replace(/^\{+/, ""), max);
}

/**
 * One typed answer as an item of a SCORM 2004 fill-in bag: a localized string in which nothing
 * reads as a delimiter. "[,]" and "[.]" are the standard's own; some LMS run-times (scorm-again)
 * also split a bag on a bare ",", so a typed comma is sent as the full-width "，" (U+FF0C).
 */
function bagItem(text, max) {
  return langString(text, max).replace(/,/g, "\uFF0C");
}

/**
 * Answers in SCORM 2004 formats (RTE 4.1.6): identifiers joined by "[,]", matching pairs
 * "src[.]tgt", each id sent as its LMS token (formats.lmsToken), at most 36 per response.
 */
export const scorm2004 = {
  response(type, value) {
    switch (type) {
      case "true-false":
        return value === true || value === "true" ? "true" : "false";
      case "choice":
        return unique(asList(value).map(String)).slice(0, 36).map(lmsToken).join("[,]");
      case "sequencing":
        return asList(value).map(String).slice(0, 36).map(lmsToken).join("[,]");
      case "matching":
        return asList(value)
          .slice(0, 36)
          .map((pair) => `${lmsToken(asList(pair)[0])}[.]${lmsToken(asList(pair)[1])}`)
          .join("[,]");
      case "fill-in":
        return asList(value)
          .slice(0, 10)
          .map((s) => bagItem(s, 250))
          .join("[,]");
      case "numeric":
        return decimal(value, 7);
      case "long-fill-in":
        return langString(asList(value).join(" "), 4000);
      case "likert": // a single short_identifier_type (RTE 4.2.9.2): the point, "1" for the lowest
        return Number.isInteger(value) && value > 0 ? String(value) : "";
      default:
        return langString(String(value ?? ""), 4000);
    }
  },

  /** Each accepted fill-in answer is its own pattern (at most the 5 the LMS must keep). */
  patterns(type, correct, caseSensitive) {
    if (type === "fill-in") {
      return asList(correct)
        .slice(0, 5)
        .map((s) => `{case_matters=${caseSensitive ? "true" : "false"}}${bagItem(s, 250)}`);
    }
    if (type === "numeric") return correct ? [`${decimal(correct.min, 7)}[:]${decimal(correct.max, 7)}`] : [];
    if (type === "likert") return []; // an opinion has no correct response
    if (type === "long-fill-in") return []; // keywords decide, not a whole-answer pattern an LMS could compare
    return [this.response(type, correct)];
  },
};
