// Statements each rated on one scale (a survey): never scored, so it counts toward no score or
// pass mark, and still reported, one SCORM likert interaction per statement, because the standard's
// likert response is a single identifier. Response: { statement id: point }, points 1 (the lowest) up.
import { ratings } from '../state.js';

export const type = 'likert';

const radios = (form, question, statement) => form.querySelectorAll(`input[name="q-${question.id}-${statement.id}"]`);

export function scored() {
  return false;
}

/** Every statement rated, or null (the quiz asks for the rest first). */
export function readResponse(form, question) {
  const response = {};
  for (const statement of question.statements) {
    const picked = [...radios(form, question, statement)].find((input) => input.checked);
    if (!picked) return null;
    response[statement.id] = Number(picked.value);
  }
  return response;
}

export function writeResponse(form, question, response) {
  for (const statement of question.statements) {
    for (const input of radios(form, question, statement)) input.checked = Number(input.value) === response?.[statement.id];
  }
}

export function score() {
  return { correct: false, earned: 0, scored: false };
}

/**
 * One interaction record per rated statement. Its id joins the question's and the statement's
 * ids with ".", which no id holds, so it can never be another element's id; the tracker sends it
 * through formats.lmsToken like every interaction id (one to one, so never shared either).
 */
export function interactions(question, response) {
  return ratings(question, response).map(([statement, point]) => ({
    id: `${question.id}.${statement.id}`, type, response: point, correct: null, result: 'neutral', weighting: 0,
    description: `${question.text} ${statement.text}`,
  }));
}
