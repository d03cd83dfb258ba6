/**
 * Narration blocks: play and pause, the speed (kept for the session), and the transcript as its
 * timed sentences, the one being spoken marked as it plays; a sentence pressed plays from there.
 *
 * The page holds a plain <audio controls> (what a learner without JavaScript uses) and the
 * sentences with their times, rendered at build time from the captions. This module, loaded only
 * by pages with a narration, hides that element and plays the narration through the course's one
 * unlocked audio element (media-unlock.js), so it sounds on an iPad whatever came before.
 * The sentence spoken is marked with aria-current, which a screen reader reads when the learner
 * reaches it but never announces as it moves: the narration itself is speaking.
 */

const SPEED_KEY = 'courseforge.narration.speed';
const HAVE_METADATA = 1;
/** Sentences marked at display frame rate while playing: timeupdate alone lags by up to 250 ms. */
const FRAME = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (fn) => setTimeout(fn, 50);

/**
 * The index of the sentence being spoken at `time` (seconds) among `cues` ({ start, end }, in
 * order): the last one started, kept through a pause between two sentences; -1 before the first.
 */
export function cueAt(cues, time) {
  let found = -1;
  for (let i = 0; i < cues.length; i++) {
    if (cues[i].start <= time) found = i;
    else break;
  }
  return found;
}

/** The speed kept for this session, if it is one the select offers. */
function keptSpeed(select) {
  let kept = null;
  try {
    kept = sessionStorage.getItem(SPEED_KEY);
  } catch {
    // storage refused (a private window, an LMS frame): the speed is kept on this page only
  }
  return [...select.options].some((option) => option.value === kept) ? kept : null;
}

function keepSpeed(value) {
  try {
    sessionStorage.setItem(SPEED_KEY, value);
  } catch {
    // see keptSpeed
  }
}

/** The first source of `element` the browser can play, as an absolute URL. */
function playableSource(element, player) {
  const source = [...element.querySelectorAll('source')]
    .find((s) => !s.type || player.canPlayType(s.type) !== '');
  return source ? new URL(source.getAttribute('src'), document.baseURI).href : null;
}

let current = null; // the narration the session's audio element plays now
const wired = new WeakSet();

function wire(player) {
  if (wired.has(player)) return;
  wired.add(player);
  let frame = false;
  const follow = () => {
    if (current && !current.block.isConnected) {
      player.pause(); // its page was replaced (the results, the exit screen): the narration stops with it
      return;
    }
    current?.follow(player.currentTime);
    if (!player.paused && !frame) {
      frame = true;
      FRAME(() => { frame = false; if (!player.paused) follow(); });
    }
  };
  for (const type of ['timeupdate', 'seeked', 'play', 'playing']) player.addEventListener(type, follow);
  for (const type of ['play', 'pause', 'ended']) player.addEventListener(type, () => current?.showPlaying(!player.paused));
}

function enhance(block, { t, player }) {
  const native = block.querySelector('audio');
  const controls = block.querySelector('.narration-controls');
  const src = native && controls && playableSource(native, player);
  if (!src) return; // nothing this browser plays: the page's own element stays, with its message
  native.removeAttribute('controls');
  native.hidden = true;
  controls.hidden = false;
  const play = controls.querySelector('[data-action="play"]');
  const speed = controls.querySelector('[data-speed]');
  const list = block.querySelector('[data-cues]');
  const cues = [...(list?.children ?? [])].map((item) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'cue';
    button.append(...item.childNodes);
    item.append(button);
    return { item, button, start: Number(item.dataset.start), end: Number(item.dataset.end) };
  });
  let shown = -1;

  const narration = {
    block,
    follow(time) {
      const at = cueAt(cues, time);
      if (at === shown) return;
      cues[shown]?.button.removeAttribute('aria-current');
      cues[shown]?.item.classList.remove('is-current');
      shown = at;
      if (at < 0) return;
      cues[at].button.setAttribute('aria-current', 'true');
      cues[at].item.classList.add('is-current');
      const { item } = cues[at];
      // Only the transcript's own box scrolls (the page stays where the learner put it).
      if (item.offsetTop < list.scrollTop || item.offsetTop + item.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = item.offsetTop - list.clientHeight / 3;
      }
    },
    showPlaying(playing) {
      play.textContent = t(playing ? 'narration.pause' : 'narration.play');
      block.classList.toggle('is-playing', playing);
    },
  };

  /** Make this narration the one the session's element plays (the rest is stopped). */
  const own = () => {
    if (current === narration && player.src === src) return;
    current?.showPlaying(false);
    player.pause();
    current = narration;
    player.src = src;
    player.defaultPlaybackRate = Number(speed.value);
    player.playbackRate = Number(speed.value);
  };
  /** Seek to `time`, once the element knows its duration when a narration was only just given to it. */
  const seek = (time) => {
    if (player.readyState >= HAVE_METADATA) player.currentTime = time;
    else player.addEventListener('loadedmetadata', () => { player.currentTime = time; }, { once: true });
  };
  const start = () => {
    player.play().catch(() => narration.showPlaying(false));
  };

  const kept = keptSpeed(speed);
  if (kept) speed.value = kept;
  speed.addEventListener('change', () => {
    keepSpeed(speed.value);
    if (current === narration) {
      player.defaultPlaybackRate = Number(speed.value);
      player.playbackRate = Number(speed.value);
    }
  });
  play.addEventListener('click', () => {
    if (current === narration && !player.paused) {
      player.pause();
      return;
    }
    own();
    start();
  });
  for (const cue of cues) {
    cue.button.addEventListener('click', () => {
      own();
      seek(cue.start);
      narration.follow(cue.start);
      start();
    });
  }
  narration.showPlaying(false);
}

/** Enhance every narration block under `root`; `player` is the session's audio element. */
export function enhanceNarrations(root, { t, player }) {
  wire(player);
  for (const block of root.querySelectorAll('.block-narration')) enhance(block, { t, player });
}
