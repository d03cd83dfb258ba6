/**
 * Quiz and course scoring, and the status the LMS is told: pure functions of course.json and the
 * learner's state, with no page or LMS in sight, so they can be tested on their own (in Node) and
 * the player, a report or a test all agree on what a learner has earned.
 */
import * as single_choice from './questions/single_choice.js';
import * as multiple_response from './questions/multiple_response.js';
import * as true_false from './questions/true_false.js';
import * as fill_in from './questions/fill_in.js';
import * as free_text from './questions/free_text.js';
import * as numeric from './questions/numeric.js';
import * as likert from './questions/likert.js';
import * as matching from './questions/matching.js';
import * as ordering from './questions/ordering.js';
import * as hotspot from './questions/hotspot.js';
import { askedQuestions, drawnIds } from './bank.js';

/** One module per question type: its SCORM interaction type, score(), and its page behaviour. */
export const KINDS = {
  single_choice, multiple_response, true_false, fill_in, free_text, numeric, likert, matching, ordering, hotspot,
};

const round2 = (n) => Math.round(n * 100) / 100;

/** { correct, earned } for one answer; an unknown type or a damaged answer scores nothing, never throws. */
export function scoreAnswer(question, response) {
  const kind = KINDS[question?.type];
  if (!kind || response === undefined || response === null) return { correct: false, earned: 0 };
  try {
    return kind.score(question, response);
  } catch {
    return { correct: false, earned: 0 };
  }
}

/** Whether a question's answer counts for points (an unscored reflection or survey does not). */
export function isScored(question) {
  return KINDS[question?.type]?.scored?.(question) ?? true;
}

/**
 * What the LMS is told of one submitted answer: one interaction record, or a type's own records
 * (a survey reports each statement), each with the result "neutral" when the answer is unscored.
 */
export function interactionRecords(question, response) {
  const kind = KINDS[question?.type];
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
 * { completed, passed }: passed is null until every quiz is submitted, then whether the course
 * score and each quiz's own pass mark are met; completed follows the course's completion rule.
 */
export function courseStatus(course, state) {
  const allViewed = course.pages.every((page) => state.visited.includes(page.id));
  let passed = null;
  if (course.quizzes.length && course.quizzes.every((quiz) => state.submitted[quiz.id])) {
    passed = courseScore(course, state).raw >= course.passingScore
      && course.quizzes.every((quiz) => quizScore(quiz, state).percent >= quiz.passMark);
  }
  const completed = course.completion === 'all_pages_viewed' ? allViewed
    : course.completion === 'quiz_passed' ? passed === true : allViewed && passed === true;
  return { completed, passed };
}
