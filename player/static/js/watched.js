/**
 * How much of a video a learner has watched: the stretches actually played, never the position
 * reached (a learner who drags to the end has watched nothing in between).
 *
 * Why buckets: the resume state must stay small and bounded (SCORM 1.2 keeps 4,096 characters),
 * and a learner watches a video over several visits. So what was played is kept as 100 buckets,
 * one per percent of the duration, each watched or not: a visit's played ranges mark buckets, a
 * later visit adds its own, and the union is exact to the percent whatever the order of visits.
 * The resume state (state.js) keeps the buckets, adds visits up and says the percent watched.
 */

import { WATCHED_BUCKETS as BUCKETS } from "./state.js";

/** A bucket counts once this much of it was played (ranges meet with small gaps around a seek). */
const COVERED = 0.5;

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
