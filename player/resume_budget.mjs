/**
 * The largest resume state a course can produce, measured with the player's own codec (state.js),
 * so the publish-time budget and what learners' browsers send can never disagree.
 *
 * Reads course.json (the player data contract) on stdin; writes
 *   { chars, questions: [{ id, type, chars }] }
 * where chars is the length of the encoded worst case: every page visited, the current page in the
 * middle (it carries the most neighbours), every question answered at full length (every choice
 * ticked, every pair matched, a typed answer of its full length in characters that escape longest),
 * every quiz at its most attempts, submitted, and every video with a completion rule watched. A
 * question bank (a quiz with `draw` N) keeps answers only of the questions drawn, so its worst case
 * is the draw of the N questions whose answers are longest, with the draw itself kept.
 * questions[i].chars is what that one answer adds (when drawn).
 */
import { MAX_ATTEMPTS, WATCHED_BUCKETS, emptyState, encodeState } from "./static/js/state.js";

/** A BMP character outside ASCII takes 3 UTF-8 bytes: 9 encoded characters, the most per UTF-16 unit. */
const WIDEST = "\u20ac";

function longestAnswer(question) {
  const ids = (question.choices || []).map((c) => c.id);
  switch (question.type) {
    case "single_choice":
      return ids[0];
    case "multiple_response":
    case "hotspot":
      return ids;
    case "true_false":
      return true;
    case "fill_in":
      return [WIDEST.repeat(question.maxLength || 250)];
    case "free_text":
      return [WIDEST.repeat(question.maxLength || 4000)];
    case "numeric":
      return -123456789012345.67; // the longest a number of at most 1e15 prints, sign and decimals included
    case "matching":
      return question.correct.map(([source, target]) => [source, target]);
    case "ordering":
      return [...question.correct];
    case "likert": // every statement rated (a point is one character, whichever is chosen)
      return Object.fromEntries(question.statements.map((s) => [s.id, question.scale.length]));
    default:
      return null;
  }
}

export function worstCase(course) {
  const state = emptyState();
  state.visited = course.pages.map((p) => p.id);
  state.current = course.pages[Math.floor(course.pages.length / 2)]?.id ?? null;
  const questions = course.quizzes.flatMap((quiz) => quiz.questions);
  for (const quiz of course.quizzes) {
    state.attempts[quiz.id] = quiz.attempts > 0 ? quiz.attempts : MAX_ATTEMPTS;
    state.submitted[quiz.id] = true;
  }
  for (const q of questions) state.answers[q.id] = longestAnswer(q);
  // Every video with a completion rule watched (the percents it played take the same length whichever they are).
  for (const video of course.pages.flatMap((p) => p.videos || [])) {
    state.watched = { ...state.watched, [video.id]: new Array(WATCHED_BUCKETS).fill(true) };
  }
  const every = encodeState(state, course).length;
  const shares = new Map(questions.map((q) => {
    const { [q.id]: _, ...others } = state.answers;
    return [q.id, every - encodeState({ ...state, answers: others }, course).length];
  }));
  for (const quiz of course.quizzes.filter((z) => z.draw)) {
    const drawn = [...quiz.questions].sort((a, b) => shares.get(b.id) - shares.get(a.id)).slice(0, quiz.draw);
    for (const q of quiz.questions) if (!drawn.includes(q)) delete state.answers[q.id];
    state.draws = { ...state.draws, [quiz.id]: drawn.map((q) => q.id) };
  }
  return {
    chars: encodeState(state, course).length,
    questions: questions.map((q) => ({ id: q.id, type: q.type, chars: shares.get(q.id) })),
  };
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(worstCase(JSON.parse(input))));
