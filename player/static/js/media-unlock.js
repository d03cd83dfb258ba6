/**
 * The course's one narration player, unlocked by the learner's first gesture.
 *
 * Why: iPad Safari lets a media element make sound only once it was played inside a tap or key
 * press, and it remembers that per element. So the whole visit uses one audio element: the first
 * tap or key press anywhere in the course plays a few silent samples on it (with sound on: a
 * muted play unlocks nothing) and stops, and from then on every narration played through it may
 * start whenever the learner asks, even when something asynchronous (loading, seeking to a
 * sentence) comes between the tap and the sound.
 * Nothing ever starts by itself.
 */

const SILENCE = 'data:audio/wav;base64,UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA';
const GESTURES = ['touchend', 'click', 'keydown'];

let audio = null;

/** The session's narration element (made on first use, kept for the whole visit). */
export function sessionAudio() {
  if (!audio) {
    audio = new Audio();
    audio.preload = 'none';
    audio.dataset.narrationPlayer = '';
  }
  return audio;
}

/** Stop the narration, as the learner leaves its page. */
export function pauseSessionAudio() {
  audio?.pause();
}

/** Listen for the learner's first gesture on `doc` and unlock the narration element with it. */
export function unlockMediaOnFirstGesture(doc = document) {
  const unlock = () => {
    for (const type of GESTURES) doc.removeEventListener(type, unlock, true);
    const player = sessionAudio();
    if (player.getAttribute('src')) return; // a narration was started by this very gesture
    player.src = SILENCE;
    player.play().catch(() => {}).finally(() => {
      if (player.getAttribute('src') !== SILENCE) return; // a narration took over meanwhile
      player.pause();
      player.removeAttribute('src');
    });
  };
  for (const type of GESTURES) doc.addEventListener(type, unlock, true);
}
