/**
 * Quiz and course scoring, and the status the LMS is told: pure functions of course.json and the
 * learner's state, with no page or LMS in sight, so they can be tested on their own (in Node) and
 * the player, a report or a test all agree on what a learner has earned.
 */
import { askedQuestions, drawnIds } from './bank.js';
import { watchedPercent } from './state.js';

/**
 * One module per question type: its SCORM interaction type, score(), and its page behaviour. Each
 * is loaded only when a page shows the type or a submitted answer of it is scored (`loadKinds`),
 * so a learner's tablet never downloads the code of question types the course does not ask.
 */
const LOADERS = {
  single_choice: () => import('./questions/single_choice.js'),
  multiple_response: () => import('./questions/multiple_response.js'),
  true_false: () => import('./questions/true_false.js'),
  fill_in: () => import('./questions/fill_in.js'),
  free_text: () => import('./questions/free_text.js'),
  numeric: () => import('./questions/numeric.js'),
  likert: () => import('./questions/likert.js'),
  matching: () => import('./questions/matching.js'),
  ordering: () => import('./questions/ordering.js'),
  hotspot: () => import('./questions/hotspot.js'),
};

/** The question type modules loaded so far, by type. */
export const KINDS = {};
const loading = new Map();

/** Load the modules of `types` (every type when none are named); unknown types are left out. */
export function loadKinds(types = Object.keys(LOADERS)) {
  return Promise.all([...new Set(types)].filter((type) => Object.hasOwn(LOADERS, type)).map((type) => {
    if (!loading.has(type)) {
      loading.set(type, LOADERS[type]().then((module) => { KINDS[type] = module; }, (error) => {
        loading.delete(type); // a failed download (a dropped network) is tried again next time
        throw error;
      }));
    }
    return loading.get(type);
  }));
}

/** The loaded module of `question`'s type; a type known but not loaded yet is a player bug, said loudly. */
function kindOf(question) {
  const type = question?.type;
  if (Object.hasOwn(KINDS, type)) return KINDS[type];
  if (Object.hasOwn(LOADERS, type)) throw new Error(`question type ${type} used before loadKinds`);
  return undefined;
}

const round2 = (n) => Math.round(n * 100) / 100;

/** { correct, earned } for one answer; an unknown type or a damaged answer scores nothing, never throws. */
export function scoreAnswer(question, response) {
  const kind = kindOf(question);
  if (!kind || response === undefined || response === null) return { correct: false, earned: 0 };
  try {
    return kind.score(question, response);
  } catch {
    return { correct: false, earned: 0 };
  }
}

/**
 * Whether a question's answer counts for points (an unscored reflection or survey does not).
 * course.json says so of the types that can be unscored, so no type's module is needed to know.
 */
export function isScored(question) {
  return question?.scored ?? KINDS[question?.type]?.scored?.(question) ?? true;
}

/**
 * What the LMS is told of one submitted answer: one interaction record, or a type's own records
 * (a survey reports each statement), each with the result "neutral" when the answer is unscored.
 */
export function interactionRecords(question, response) {
  const kind = kindOf(question);
  if (!kind) return [];
  if (kind.interactions) return kind.interactions(question, response);
  const { correct } = scoreAnswer(question, response);
  return [{
    id: question.id, type: kind.type, response, correct: question.correct, weighting: question.points,
    result: !isScored(question) ? 'neutral' : correct ? 'correct' : 'incorrect', description: question.text,
  }];
}

/**
 * Points earned in a quiz (only once it is submitted), its maximum and percentage. A quiz with
 * nothing to score (a reflection) counts as 100 % once submitted: it cannot be failed. A question
 * bank counts only the questions drawn for the attempt; before its draw is made, its maximum is
 * what a draw is worth on average (N of the M questions' points), so the course score it weighs
 * in does not jump when the learner opens it.
 */
export function quizScore(quiz, state) {
  let earned = 0;
  let max = 0;
  const all = quiz.questions || [];
  const drawing = quiz.draw && !drawnIds(quiz, state) && all.length;
  for (const q of drawing ? all : askedQuestions(quiz, state)) {
    if (!isScored(q)) continue;
    max += q.points;
    if (state.submitted[quiz.id] && q.id in state.answers) earned += scoreAnswer(q, state.answers[q.id]).earned;
  }
  if (drawing) max = round2((max * Math.min(quiz.draw, all.length)) / all.length);
  earned = round2(earned);
  const percent = max ? round2((earned / max) * 100) : state.submitted[quiz.id] ? 100 : 0;
  return { earned, max, percent };
}

/** The course score over every quiz, as the tracker interface takes it (raw 0-100, scaled 0-1). */
export function courseScore(course, state) {
  let earned = 0;
  let max = 0;
  for (const quiz of course.quizzes) {
    const s = quizScore(quiz, state);
    earned += s.earned;
    max += s.max;
  }
  const raw = max ? round2((earned / max) * 100) : course.quizzes.every((quiz) => state.submitted[quiz.id]) ? 100 : 0;
  return { raw, min: 0, max: 100, scaled: raw / 100 };
}

/**
 * Whether the learner has watched enough of each video of `page` that has a completion rule
 * ("watched at least N %": played, not skipped by seeking).
 */
export function videosWatched(page, state) {
  return (page.videos || []).every((video) => watchedPercent(state.watched?.[video.id]) >= video.completeAt);
}

/**
 * { completed, passed }: passed is null until every quiz is submitted, then whether the course
 * score and each quiz's own pass mark are met; completed follows the course's completion rule,
 * and is never reached before every video with a completion rule was watched enough.
 */
export function courseStatus(course, state) {
  const allViewed = course.pages.every((page) => state.visited.includes(page.id));
  const watched = course.pages.every((page) => videosWatched(page, state));
  let passed = null;
  if (course.quizzes.length && course.quizzes.every((quiz) => state.submitted[quiz.id])) {
    passed = courseScore(course, state).raw >= course.passingScore
      && course.quizzes.every((quiz) => quizScore(quiz, state).percent >= quiz.passMark);
  }
  const completed = watched && (course.completion === 'all_pages_viewed' ? allViewed
    : course.completion === 'quiz_passed' ? passed === true : allViewed && passed === true);
  return { completed, passed };
}
