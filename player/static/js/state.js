/**
 * Resume state codec: the learner's progress as one short printable-ASCII string.
 *
 * Why this shape: SCORM 1.2 gives a course 4,096 characters of cmi.suspend_data, and courses get
 * republished with pages and questions added, removed or reordered. So the string names pages,
 * quizzes, questions and choices by short hashes of their STABLE ids (never by position), and the
 * decoder maps each hash back through the course as it is now: unknown ids are dropped, known ones
 * kept, and a removed current page falls back to its nearest surviving neighbour.
 *
 * Alphabet: only characters that encodeURIComponent leaves alone (A-Z a-z 0-9 - _ . ! ~ * ( )),
 * so an LMS that URL-encodes, HTML-escapes or JSON-quotes the value cannot change it.
 *
 * Layout (version 1):
 *   "1" Lp Lz Lq Ls "." current "." visited "." answers "." quizzes [ "." draws [ "." watched ] ]
 *   L*       one digit each: hash length for pages, quizzes, questions, sub-items (choices, pairs, items, statements);
 *            chosen at encode time as the shortest length without collisions in the current course.
 *   current  hash of the current page, then of its neighbours by distance (prev, next, prev-2, next-2)
 *   visited  concatenated page hashes
 *   answers  "~"-separated: question hash, one type letter, payload
 *              c single_choice  choice hash          m multiple_response  choice hashes
 *              t true_false     "1" | "0"            f fill_in            escaped text
 *              F fill_in list   escaped texts joined by "!"
 *              n numeric        the number, escaped as text
 *              l free_text      escaped text
 *              k likert         (statement hash, point) pairs, the point one character 1-9 a-z
 *              x matching       (source hash, target hash) pairs
 *              o ordering       item hashes in the learner's order
 *              h hotspot        region hashes
 *   quizzes  "~"-separated: quiz hash, attempts (decimal, at most MAX_ATTEMPTS), "s" when submitted
 *   draws    "~"-separated: quiz hash, then the hashes of the questions drawn for its attempt (a
 *            question bank, see bank.js). Written only when a draw is kept: a state without one is
 *            the same string as before banks, and a decoder that knows only five sections ignores it.
 *   watched  Lv (one digit: hash length for videos) then "~"-separated: video hash, then the 17
 *            characters of the percents of it played (see watched.js). Only videos with a
 *            completion rule are kept (at most 18 + Lv characters each); written only when one
 *            was watched, after an empty draws section when there is no draw.
 */


export const STATE_VERSION = "1";
/** Attempts kept per quiz: a limited quiz allows at most 100, and an unlimited one needs no exact count. */
export const MAX_ATTEMPTS = 999;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const MAX_HASH = 9;
/**
 * Shortest hashes used. Besides collisions among current ids (avoided at encode time), a hash
 * can meet an id added in a later version; at 3 characters (262,144 values) a new page is taken
 * for a visited one with odds of about 1 in 2,600 for a 100-page course, and at 2 characters
 * (4,096 values) a new choice for a picked one with odds of about 1 in 4,096 per question.
 */
const MIN_HASH = { id: 3, item: 2 };
const NEIGHBOURS = 2;

/**
 * The point given to each statement of a likert question that still exists and still has it on
 * its scale: what is kept of a survey answer (the likert module reports the same ratings).
 */
export function ratings(question, response) {
  const points = (question.scale || []).length;
  return (question.statements || [])
    .map((statement) => [statement, response?.[statement.id]])
    .filter(([, point]) => Number.isInteger(point) && point >= 1 && point <= points);
}

/** A likert point (1 up) as one character; a scale has at most 11. */
const POINTS = "123456789abcdefghijklmnopqrstuvwxyz";
const TYPE_CODES = {
  single_choice: "c",
  multiple_response: "m",
  true_false: "t",
  fill_in: "f",
  numeric: "n",
  free_text: "l",
  likert: "k",
  matching: "x",
  ordering: "o",
  hotspot: "h",
};

/**
 * What was played of a video: one boolean per percent of its duration (see watched.js), kept as
 * 17 characters.
 */
export const WATCHED_BUCKETS = 100;
const WATCHED_LENGTH = Math.ceil(WATCHED_BUCKETS / 6);

/** Both visits' buckets: watched in either. */
export function unionBuckets(a, b) {
  return Array.from({ length: WATCHED_BUCKETS }, (_, i) => Boolean(a?.[i] || b?.[i]));
}

/** Percent watched, 0-100. */
export function watchedPercent(buckets) {
  return (buckets || []).filter(Boolean).length;
}

/** Buckets -> 17 characters of the alphabet, 6 buckets each. */
function encodeBuckets(buckets) {
  let out = "";
  for (let i = 0; i < WATCHED_BUCKETS; i += 6) {
    let value = 0;
    for (let bit = 0; bit < 6; bit++) if (buckets?.[i + bit]) value |= 1 << bit;
    out += ALPHABET[value];
  }
  return out;
}

/** 17 characters -> buckets, or null when the text is not such a set. */
function decodeBuckets(text) {
  if (typeof text !== "string" || text.length !== WATCHED_LENGTH) return null;
  const buckets = new Array(WATCHED_BUCKETS).fill(false);
  for (let c = 0; c < WATCHED_LENGTH; c++) {
    const value = ALPHABET.indexOf(text[c]);
    if (value < 0) return null;
    for (let bit = 0; bit < 6 && c * 6 + bit < WATCHED_BUCKETS; bit++) buckets[c * 6 + bit] = Boolean(value & (1 << bit));
  }
  return buckets;
}

/** The empty state: what a first visit (or an unreadable string) starts from. */
export function emptyState() {
  return { current: null, visited: [], answers: {}, attempts: {}, submitted: {} };
}

/**
 * FNV-1a over the id, finished with MurmurHash3's fmix32 (FNV's low bits alone are poorly mixed
 * for ids like "page-1", "page-2"); seeded so that more seeds give more bits; rendered base64url,
 * `len` chars.
 */
function hashId(id, len) {
  let out = "";
  for (let seed = 0; out.length < len; seed++) {
    let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < id.length; i++) {
      h ^= id.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    for (let k = 0; k < 5 && out.length < len; k++) {
      out += ALPHABET[h & 63];
      h >>>= 6;
    }
  }
  return out;
}

/** Shortest hash length (from `min`) that keeps every id of every group distinct within its group. */
function hashLength(groups, min) {
  for (let len = min; len <= MAX_HASH; len++) {
    const clash = groups.some((ids) => new Set(ids.map((id) => hashId(id, len))).size !== new Set(ids).size);
    if (!clash) return len;
  }
  return MAX_HASH;
}

/** hash -> id for the current course; a hash that two current ids share maps to nothing. */
function lookup(ids, len) {
  const map = new Map();
  const ambiguous = new Set();
  for (const id of ids) {
    const h = hashId(id, len);
    if (map.has(h) && map.get(h) !== id) ambiguous.add(h);
    map.set(h, id);
  }
  for (const h of ambiguous) map.delete(h);
  return map;
}

function chunks(text, len) {
  const out = [];
  for (let i = 0; i + len <= text.length; i += len) out.push(text.slice(i, i + len));
  return out;
}

/**
 * Text -> [A-Za-z0-9-_*(]: percent-encoding with "*" for "%" and "(" for a space (the commonest
 * escape), so the separators ". ~ !" never appear inside an answer.
 */
function escapeText(text) {
  return encodeURIComponent(text)
    .replace(/[.!~*()']/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "(")
    .replace(/%/g, "*");
}

function unescapeText(text) {
  return decodeURIComponent(text.replace(/\(/g, "%20").replace(/\*/g, "%"));
}

/** The ids a question's answer may refer to, read from the course.json question. */
function subItems(question) {
  const correct = question.correct;
  switch (question.type) {
    case "single_choice":
    case "multiple_response":
    case "hotspot":
      return (question.choices || []).map((c) => c.id);
    case "matching":
      return Array.isArray(correct) ? correct.map((pair) => pair[0]) : [];
    case "ordering":
      return Array.isArray(correct) ? correct.slice() : [];
    case "likert":
      return (question.statements || []).map((s) => s.id);
    default:
      return [];
  }
}

/** Everything the codec needs from course.json, in one pass. */
function index(course) {
  const pages = (course.pages || []).map((p) => p.id);
  const quizzes = course.quizzes || [];
  const questions = new Map();
  const quizQuestions = new Map();
  const banks = new Set();
  for (const quiz of quizzes) {
    quizQuestions.set(quiz.id, (quiz.questions || []).map((q) => q.id));
    for (const q of quiz.questions || []) questions.set(q.id, q);
    if (quiz.draw) banks.add(quiz.id);
  }
  const videos = (course.pages || []).flatMap((p) => (p.videos || []).map((v) => v.id));
  return { pages, quizIds: quizzes.map((q) => q.id), questions, quizQuestions, banks, videos };
}

function encodeAnswer(question, response, ls) {
  const h = (id) => hashId(String(id), ls);
  switch (question.type) {
    case "single_choice":
      return typeof response === "string" ? "c" + h(response) : null;
    case "multiple_response":
    case "hotspot":
      return Array.isArray(response) ? TYPE_CODES[question.type] + response.map(h).join("") : null;
    case "true_false":
      return typeof response === "boolean" ? "t" + (response ? "1" : "0") : null;
    case "fill_in":
      if (typeof response === "string") return "f" + escapeText(response);
      return Array.isArray(response) ? "F" + response.map((s) => escapeText(String(s))).join("!") : null;
    case "free_text":
      return Array.isArray(response) && typeof response[0] === "string" ? "l" + escapeText(response[0]) : null;
    case "numeric":
      return typeof response === "number" && Number.isFinite(response) ? "n" + escapeText(String(response)) : null;
    case "matching":
      return Array.isArray(response) ? "x" + response.map((pair) => h(pair[0]) + h(pair[1])).join("") : null;
    case "ordering":
      return Array.isArray(response) ? "o" + response.map(h).join("") : null;
    case "likert":
      return response && typeof response === "object"
        ? "k" + ratings(question, response).map(([s, point]) => h(s.id) + POINTS[point - 1]).join("")
        : null;
    default:
      return null;
  }
}

/**
 * Payload -> response against the current question, or undefined when it no longer fits
 * (type changed, an id it names is gone, or a matching/ordering no longer covers the items).
 */
function decodeAnswer(question, code, payload, ls) {
  const items = lookup(subItems(question), ls);
  const ids = () => {
    const out = chunks(payload, ls).map((c) => items.get(c));
    return out.includes(undefined) || payload.length % ls ? undefined : out;
  };
  if (TYPE_CODES[question.type] !== code.toLowerCase()) return undefined;
  switch (code) {
    case "c":
      return payload.length === ls ? items.get(payload) : undefined;
    case "m":
    case "h": {
      if (payload.length % ls) return undefined;
      return chunks(payload, ls).map((c) => items.get(c)).filter((id) => id !== undefined);
    }
    case "t":
      return payload === "1" ? true : payload === "0" ? false : undefined;
    case "f":
      return unescapeText(payload);
    case "F":
      return payload === "" ? [] : payload.split("!").map(unescapeText);
    case "l":
      return [unescapeText(payload)];
    case "n": {
      const value = Number(unescapeText(payload));
      return payload !== "" && Number.isFinite(value) ? value : undefined;
    }
    case "x": {
      const flat = ids();
      if (!flat || flat.length % 2) return undefined;
      const pairs = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
      return pairs;
    }
    case "k": {
      const step = ls + 1;
      if (payload.length % step) return undefined;
      const response = {};
      for (const pair of chunks(payload, step)) {
        const id = items.get(pair.slice(0, ls));
        const point = POINTS.indexOf(pair.charAt(ls)) + 1;
        if (id !== undefined && point >= 1 && point <= (question.scale || []).length) response[id] = point;
      }
      // A statement added since (or a scale cut shorter) reopens the survey, as a changed ordering does.
      return Object.keys(response).length === items.size ? response : undefined;
    }
    case "o": {
      const order = ids();
      if (!order || order.length !== items.size || new Set(order).size !== order.length) return undefined;
      return order;
    }
    default:
      return undefined;
  }
}

/**
 * Saved progress and what the learner did before it arrived (an LMS found late), as one state:
 * pages visited in either, answers and submissions of both (the newer, local one wins for the
 * same question), attempts added up, and the local current page if there is one.
 */
export function mergeStates(saved, local) {
  const a = { ...emptyState(), ...(saved || {}) };
  const b = { ...emptyState(), ...(local || {}) };
  const attempts = { ...a.attempts };
  for (const [id, n] of Object.entries(b.attempts)) attempts[id] = (Number(attempts[id]) || 0) + (Number(n) || 0);
  const merged = {
    current: b.current ?? a.current,
    visited: [...new Set([...a.visited, ...b.visited])],
    answers: { ...a.answers, ...b.answers },
    attempts,
    submitted: { ...a.submitted, ...b.submitted },
  };
  if (a.draws || b.draws) merged.draws = { ...a.draws, ...b.draws };
  if (a.watched || b.watched) {
    merged.watched = { ...a.watched };
    for (const [id, buckets] of Object.entries(b.watched || {})) merged.watched[id] = unionBuckets(merged.watched[id], buckets);
  }
  return merged;
}

/** State object -> suspend-data string. Ids the course does not know are left out. */
export function encodeState(state, course) {
  const s = { ...emptyState(), ...(state || {}) };
  const { pages, quizIds, questions, quizQuestions, banks, videos } = index(course);
  const lp = hashLength([pages], MIN_HASH.id);
  const lz = hashLength([quizIds], MIN_HASH.id);
  const lq = hashLength([[...questions.keys()]], MIN_HASH.id);
  const ls = hashLength([...questions.values()].map(subItems), MIN_HASH.item);
  const pageSet = new Set(pages);

  let current = "";
  const at = pages.indexOf(s.current);
  if (at >= 0) {
    current = hashId(pages[at], lp);
    for (let d = 1; d <= NEIGHBOURS; d++) {
      if (at - d >= 0) current += hashId(pages[at - d], lp);
      if (at + d < pages.length) current += hashId(pages[at + d], lp);
    }
  }
  const visited = [...new Set(s.visited || [])].filter((id) => pageSet.has(id)).map((id) => hashId(id, lp)).join("");

  const answers = [];
  for (const [qid, response] of Object.entries(s.answers || {})) {
    const question = questions.get(qid);
    if (!question || response === null || response === undefined) continue;
    const body = encodeAnswer(question, response, ls);
    if (body !== null) answers.push(hashId(qid, lq) + body);
  }

  const quizzes = [];
  for (const zid of quizIds) {
    const attempts = Math.min(MAX_ATTEMPTS, Math.max(0, Math.floor(Number((s.attempts || {})[zid]) || 0)));
    const submitted = Boolean((s.submitted || {})[zid]);
    if (attempts || submitted) quizzes.push(hashId(zid, lz) + (attempts ? String(attempts) : "") + (submitted ? "s" : ""));
  }

  const draws = [];
  for (const zid of quizIds) {
    const drawn = (s.draws || {})[zid];
    if (!banks.has(zid) || !Array.isArray(drawn)) continue;
    const own = new Set(quizQuestions.get(zid));
    draws.push(hashId(zid, lz) + [...new Set(drawn)].filter((qid) => own.has(qid)).map((qid) => hashId(qid, lq)).join(""));
  }

  const lv = hashLength([videos], MIN_HASH.id);
  const watched = videos.filter((id) => watchedPercent(s.watched?.[id]) > 0)
    .map((id) => hashId(id, lv) + encodeBuckets(s.watched[id]));

  const sections = [STATE_VERSION + lp + lz + lq + ls, current, visited, answers.join("~"), quizzes.join("~")];
  if (draws.length || watched.length) sections.push(draws.join("~"));
  if (watched.length) sections.push(lv + watched.join("~"));
  return sections.join(".");
}

/**
 * Suspend-data string -> state object for the course as published now. Never throws: anything
 * unreadable (another tool's data, a newer format, a truncated value) yields what could be read,
 * or the empty state.
 */
export function decodeState(text, course) {
  const state = emptyState();
  if (typeof text !== "string" || !text.startsWith(STATE_VERSION)) return state;
  try {
    const [head, current = "", visited = "", answers = "", quizzes = "", draws = "", watched = ""] = text.split(".");
    if (!/^\d[1-9]{4}$/.test(head)) return state;
    const [lp, lz, lq, ls] = head.slice(1).split("").map(Number);
    const { pages, quizIds, questions, quizQuestions, banks, videos } = index(course);
    const pageOf = lookup(pages, lp);

    state.visited = [...new Set(chunks(visited, lp).map((h) => pageOf.get(h)).filter(Boolean))];
    const candidates = chunks(current, lp).map((h) => pageOf.get(h)).filter(Boolean);
    state.current = candidates.length ? candidates[0] : null;

    const questionOf = lookup([...questions.keys()], lq);
    for (const item of answers ? answers.split("~") : []) {
      const qid = questionOf.get(item.slice(0, lq));
      if (!qid) continue;
      try {
        const response = decodeAnswer(questions.get(qid), item.charAt(lq), item.slice(lq + 1), ls);
        if (response !== undefined) state.answers[qid] = response;
      } catch {
        // a damaged answer is dropped; the rest of the state still resumes
      }
    }

    const quizOf = lookup(quizIds, lz);
    // A bank's draw: the questions of it the quiz still has (one removed since is replaced when
    // the quiz is shown again, see bank.js); a quiz that is no longer a bank keeps none.
    for (const item of draws ? draws.split("~") : []) {
      const zid = quizOf.get(item.slice(0, lz));
      if (!zid || !banks.has(zid) || (item.length - lz) % lq) continue;
      const own = new Set(quizQuestions.get(zid));
      const drawn = chunks(item.slice(lz), lq).map((h) => questionOf.get(h)).filter((qid) => own.has(qid));
      state.draws = { ...state.draws, [zid]: [...new Set(drawn)] };
    }
    for (const item of quizzes ? quizzes.split("~") : []) {
      const zid = quizOf.get(item.slice(0, lz));
      const match = /^(\d*)(s?)$/.exec(item.slice(lz));
      if (!zid || !match) continue;
      if (match[1]) state.attempts[zid] = Number(match[1]);
      // A submitted quiz stays submitted only if every question it asked (all it has now, or the
      // drawn ones of a bank) was answered.
      const asked = state.draws?.[zid] ?? quizQuestions.get(zid) ?? [];
      if (match[2] && asked.every((qid) => qid in state.answers)) state.submitted[zid] = true;
    }
    if (/^[1-9]/.test(watched)) {
      const lv = Number(watched[0]);
      const videoOf = lookup(videos, lv);
      for (const item of watched.slice(1).split("~")) {
        const id = videoOf.get(item.slice(0, lv));
        const buckets = decodeBuckets(item.slice(lv));
        if (id && buckets) state.watched = { ...state.watched, [id]: buckets };
      }
    }
  } catch {
    return emptyState();
  }
  return state;
}
