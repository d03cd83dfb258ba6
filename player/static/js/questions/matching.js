// Each source matched to a target with one <select> per source (touch and keyboard alike).
// Response: [[sourcePairId, targetPairId], ...] for every source given a match.
// Partial credit: the pairs matched right / the pairs.
import { credit } from '../credit.js';

export const type = 'matching';

const selects = (form, question) => form.querySelectorAll(`[data-question="${question.id}"] select[data-source]`);

export function readResponse(form, question) {
  const pairs = [...selects(form, question)].filter((s) => s.value).map((s) => [s.dataset.source, s.value]);
  return pairs.length ? pairs : null;
}

export function writeResponse(form, question, response) {
  const chosen = new Map(response || []);
  for (const select of selects(form, question)) select.value = chosen.get(select.dataset.source) || '';
}

export function score(question, response) {
  const chosen = new Map(response || []);
  const right = question.correct.filter(([source, target]) => chosen.get(source) === target).length;
  const correct = right === question.correct.length && chosen.size === right;
  return credit(question, correct ? 1 : right / question.correct.length);
}
