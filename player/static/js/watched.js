/**
 * How much of a video a learner has watched: the stretches actually played, never the position
 * reached (a learner who drags to the end has watched nothing in between).
 *
 * Why buckets: the resume state must stay small and bounded (SCORM 1.2 keeps 4,096 characters),
 * and a learner watches a video over several visits. So what was played is kept as 100 buckets,
 * one per percent of the duration, each watched or not: a visit's played ranges mark buckets, a
 * later visit adds its own, and the union is exact to the percent whatever the order of visits.
 * The set is written as 17 characters of the resume alphabet (6 bits each).
 */

export const BUCKETS = 100;
/** A bucket counts once this much of it was played (ranges meet with small gaps around a seek). */
const COVERED = 0.5;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
export const ENCODED_LENGTH = Math.ceil(BUCKETS / 6);

/** [start, end] pairs sorted and joined where they overlap or touch; empty or reversed ones dropped. */
export function mergeRanges(ranges) {
  const sorted = ranges
    .map(([start, end]) => [Number(start), Number(end)])
    .filter(([start, end]) => Number.isFinite(start) && Number.isFinite(end) && end > start)
    .sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** A media element's TimeRanges (such as `video.played`) as [start, end] pairs. */
export function timeRanges(ranges) {
  const out = [];
  for (let i = 0; i < ranges.length; i++) out.push([ranges.start(i), ranges.end(i)]);
  return out;
}

/** The buckets (a boolean per percent) that `ranges` of a `duration`-second video cover. */
export function coveredBuckets(ranges, duration) {
  const buckets = new Array(BUCKETS).fill(false);
  if (!(duration > 0)) return buckets;
  const size = duration / BUCKETS;
  for (const [start, end] of mergeRanges(ranges)) {
    const first = Math.max(0, Math.floor(start / size));
    const last = Math.min(BUCKETS - 1, Math.floor(end / size));
    for (let i = first; i <= last; i++) {
      const played = Math.min(end, (i + 1) * size) - Math.max(start, i * size);
      if (played >= COVERED * size) buckets[i] = true;
    }
  }
  return buckets;
}

/** Both visits' buckets: watched in either. */
export function unionBuckets(a, b) {
  return Array.from({ length: BUCKETS }, (_, i) => Boolean(a?.[i] || b?.[i]));
}

/** Percent watched, 0-100. */
export function watchedPercent(buckets) {
  return (buckets || []).filter(Boolean).length;
}

/** Buckets -> 17 characters. */
export function encodeBuckets(buckets) {
  let out = "";
  for (let i = 0; i < BUCKETS; i += 6) {
    let value = 0;
    for (let bit = 0; bit < 6; bit++) if (buckets?.[i + bit]) value |= 1 << bit;
    out += ALPHABET[value];
  }
  return out;
}

/** 17 characters -> buckets, or null when the text is not such a set. */
export function decodeBuckets(text) {
  if (typeof text !== "string" || text.length !== ENCODED_LENGTH) return null;
  const buckets = new Array(BUCKETS).fill(false);
  for (let c = 0; c < ENCODED_LENGTH; c++) {
    const value = ALPHABET.indexOf(text[c]);
    if (value < 0) return null;
    for (let bit = 0; bit < 6 && c * 6 + bit < BUCKETS; bit++) buckets[c * 6 + bit] = Boolean(value & (1 << bit));
  }
  return buckets;
}
