/**
 * Video blocks: captions as the learner chose them, and how much of a video with a completion
 * rule ("watched at least N %") was really played.
 *
 * Captions are off until the learner turns them on, by the block's Captions button or the
 * browser's own captions menu; the choice is kept in this browser (localStorage) and applied to
 * every video of the course. A video never starts by itself.
 *
 * What counts as watched is what the browser played (`video.played`), so a learner who drags to
 * the end has not watched what was skipped; it adds to what earlier visits played (watched.js)
 * and goes into the resume state (state.js), saved on pause, on end, on reaching the rule, and every few
 * seconds while playing.
 */
import { unionBuckets, watchedPercent } from './state.js';
import { coveredBuckets, timeRanges } from './watched.js';

const CAPTIONS_KEY = 'courseforge.captions';
const SAVE_EVERY_MS = 10000;

function captionsChosen() {
  try {
    return localStorage.getItem(CAPTIONS_KEY) === 'on';
  } catch {
    return false; // storage refused: captions stay off unless turned on on this page
  }
}

function chooseCaptions(on) {
  try {
    localStorage.setItem(CAPTIONS_KEY, on ? 'on' : 'off');
  } catch {
    // see captionsChosen
  }
}

const captionTracks = (video) => [...video.textTracks].filter((track) => ['captions', 'subtitles'].includes(track.kind));

/** Captions shown (the first track) or hidden on `video`, its button saying which. */
function showCaptions(figure, on) {
  const video = figure.querySelector('video');
  captionTracks(video).forEach((track, i) => {
    const mode = on && i === 0 ? 'showing' : 'disabled';
    if (track.mode !== mode) track.mode = mode;
  });
  figure.querySelector('.captions-toggle')?.setAttribute('aria-pressed', String(on));
}

function setupCaptions(figure, root) {
  const video = figure.querySelector('video');
  const toggle = figure.querySelector('.captions-toggle');
  if (!captionTracks(video).length) return;
  showCaptions(figure, captionsChosen());
  const choose = (on) => {
    chooseCaptions(on);
    for (const other of root.querySelectorAll('.block-video')) showCaptions(other, on);
  };
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', () => choose(toggle.getAttribute('aria-pressed') !== 'true'));
  }
  // The browser's own captions menu (full screen on an iPad): its choice is the learner's too.
  video.textTracks.addEventListener('change', () => {
    const on = captionTracks(video).some((track) => track.mode === 'showing');
    if (on !== captionsChosen()) choose(on);
  });
}

function setupWatching(figure, { t, watched }) {
  const video = figure.querySelector('video');
  const required = Number(figure.dataset.completeAt);
  const id = figure.dataset.video;
  const status = figure.querySelector('[data-watched]');
  if (!required || !id) return;
  let saved = Date.now();
  const show = (percent) => {
    if (status) {
      status.textContent = t(percent >= required ? 'video.complete' : 'video.progress', { percent, required });
    }
  };
  show(watchedPercent(watched.get(id)));
  const update = (commit) => {
    if (!(video.duration > 0)) return;
    const before = watchedPercent(watched.get(id));
    const buckets = unionBuckets(watched.get(id), coveredBuckets(timeRanges(video.played), video.duration));
    const percent = watchedPercent(buckets);
    const reached = before < required && percent >= required;
    const due = commit || reached || Date.now() - saved >= SAVE_EVERY_MS;
    if (percent === before && !commit) return;
    watched.set(id, buckets, due);
    if (due) saved = Date.now();
    show(percent);
  };
  video.addEventListener('timeupdate', () => update(false));
  for (const type of ['pause', 'ended']) video.addEventListener(type, () => update(true));
}

/**
 * Enhance every video block under `root`. `watched` is the resume state's record of videos played:
 * `get(id)` the percent buckets kept so far, `set(id, buckets, commit)` the new ones (with commit,
 * saved to the LMS now).
 */
export function enhanceVideos(root, { t, watched }) {
  for (const figure of root.querySelectorAll('.block-video')) {
    const video = figure.querySelector('video');
    video.autoplay = false;
    video.removeAttribute('autoplay');
    // WebKit selects no source for a video made in a template (the page's fragment) and moved into
    // the page: asked to, it loads what preload="metadata" says (the duration, the first frame).
    if (video.networkState === video.NETWORK_EMPTY) video.load();
    setupCaptions(figure, root);
    setupWatching(figure, { t, watched });
  }
}
