/**
 * Value formats shared by the trackers: durations, clock times, decimals and safe truncation.
 * Each standard's own module decides which of these it uses for which element.
 */

/** Centiseconds, the resolution both SCORM timespan formats carry. */
function centiseconds(ms) {
  return Math.max(0, Math.round(Number(ms) / 10) || 0);
}

/** SCORM 1.2 CMITimespan "HHHH:MM:SS.SS" (hours 2 to 4 digits; capped at 9999:59:59.99). */
export function cmiTimespan(ms) {
  const cs = Math.min(centiseconds(ms), 9999 * 360000 + 359999);
  const hours = Math.floor(cs / 360000);
  const minutes = Math.floor((cs % 360000) / 6000);
  const seconds = Math.floor((cs % 6000) / 100);
  const frac = cs % 100;
  const pad = (n, w) => String(n).padStart(w, "0");
  return `${pad(hours, 4)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(frac, 2)}`;
}

/** SCORM 2004 timeinterval: ISO 8601 duration "PT1H2M3.45S" (zero parts left out; "PT0S" for none). */
export function isoDuration(ms) {
  const cs = centiseconds(ms);
  const hours = Math.floor(cs / 360000);
  const minutes = Math.floor((cs % 360000) / 6000);
  const seconds = (cs % 6000) / 100;
  let out = "PT";
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (seconds || out === "PT") out += `${Number.isInteger(seconds) ? seconds : seconds.toFixed(2).replace(/0$/, "")}S`;
  return out;
}

const two = (n) => String(n).padStart(2, "0");

/** SCORM 1.2 CMITime: local clock time "HH:MM:SS". */
export function cmiTime(date = new Date()) {
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** SCORM 2004 time (second,10,0): "YYYY-MM-DDThh:mm:ss.ssZ" in UTC. */
export function isoTimestamp(date = new Date()) {
  const cs = two(Math.floor(date.getUTCMilliseconds() / 10));
  return (
    `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}` +
    `T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${cs}Z`
  );
}

/** A plain decimal string (never exponent notation), at most `places` decimals, within [min, max]. */
export function decimal(value, places = 4, min = -Infinity, max = Infinity) {
  const n = Math.min(max, Math.max(min, Number(value) || 0));
  const fixed = n.toFixed(places);
  const trimmed = fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  return Number(trimmed) === 0 ? "0" : trimmed;
}

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
export function truncate(text, max) {
  const s = String(text ?? "");
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/**
 * A stable id as the token the LMS is sent (interaction ids, SCORM 2004 choice, matching and
 * sequencing responses). Real LMSs accept less than the standards allow: Moodle checks every
 * response identifier against ^[\w.]{1,250}$, and a "." would blur matching's "[.]" delimiter.
 * So tokens use letters, digits and "_" only, mapped one to one from the ids (ids start with a
 * letter or digit and hold letters, digits, "-" and "_"):
 *   an id without "_":  each "-" becomes "_"                 c-gift-verify  ->  c_gift_verify
 *   an id with a "_":   "_" first, then "-" -> "_0", "_" -> "_1"   q_2-b  ->  _q_12_0b
 * (any other character, which a course id cannot hold, becomes "_2" and six hex digits). The
 * first kind never starts with "_", the second always does, and each is decodable, so two ids
 * can never share a token, in one course or across republished versions of it.
 */
export function lmsToken(id) {
  const text = String(id ?? "");
  if (/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(text)) return text.replace(/-/g, "_");
  return "_" + [...text].map((c) => (c === "-" ? "_0" : c === "_" ? "_1" : /[A-Za-z0-9]/.test(c) ? c
    : `_2${c.codePointAt(0).toString(16).padStart(6, "0")}`)).join("");
}

/** One line of text: control characters and runs of spaces become one space. */
export function oneLine(text) {
  return String(text ?? "").replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
}
