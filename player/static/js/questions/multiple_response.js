// Every correct choice and no other (checkboxes). Response: the chosen choice ids, in authored order.
// Partial credit: (correct choices picked - wrong ones picked) / correct choices, never below 0.
import { credit } from '../credit.js';

export const type = 'choice';

export function readResponse(form, question) {
  const picked = new Set([...form.querySelectorAll(`input[name="q-${question.id}"]:checked`)].map((i) => i.value));
  const ids = question.choices.map((c) => c.id).filter((id) => picked.has(id));
  return ids.length ? ids : null;
}

export function writeResponse(form, question, response) {
  const picked = new Set(response || []);
  for (const input of form.querySelectorAll(`input[name="q-${question.id}"]`)) input.checked = picked.has(input.value);
}

export function score(question, response) {
  const want = new Set(question.correct);
  const got = new Set(response || []);
  const right = [...got].filter((id) => want.has(id)).length;
  const correct = right === want.size && got.size === want.size;
  return credit(question, correct ? 1 : Math.max(0, (right - (got.size - right)) / want.size));
}
