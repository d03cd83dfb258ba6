/**
 * Question banks: a quiz with `draw` N shows each attempt N of its questions, drawn at random
 * from a seed (learner, quiz, attempt). The draw is kept in the learner's state (`state.draws`,
 * quiz id -> question ids) and resumed, so a learner sees the same questions after a reload, and
 * after the course is republished with questions added; a drawn question removed since is
 * replaced by the next one the same seed draws. Pure functions, tested in Node.
 */
import { seeded, shuffled } from './random.js';

/**
 * The question ids an attempt shows: those of `kept` (a resumed draw) the quiz still has, at most
 * N, then the questions the seed draws, in its order, until there are N. A quiz without `draw`
 * shows every question.
 */
export function drawQuestions(quiz, seed, kept = []) {
  const ids = (quiz.questions || []).map((q) => q.id);
  if (!quiz.draw) return ids;
  const size = Math.min(quiz.draw, ids.length);
  const known = new Set(ids);
  const out = [...new Set(kept)].filter((id) => known.has(id)).slice(0, size);
  for (const id of shuffled(ids, seeded(seed))) {
    if (out.length >= size) break;
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** The drawn ids a state holds for a bank, or undefined (no bank, or no draw made yet). */
export function drawnIds(quiz, state) {
  const drawn = quiz.draw ? state?.draws?.[quiz.id] : undefined;
  return Array.isArray(drawn) ? drawn : undefined;
}

/** The questions an attempt asks, in the quiz's order: the drawn ones of a bank, else all. */
export function askedQuestions(quiz, state) {
  const drawn = drawnIds(quiz, state);
  if (!drawn) return quiz.questions || [];
  const picked = new Set(drawn);
  return (quiz.questions || []).filter((q) => picked.has(q.id));
}
