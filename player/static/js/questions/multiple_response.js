// Every correct choice and no other (checkboxes). Response: the chosen choice ids, in authored order.
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
  const got = response || [];
  const correct = got.length === want.size && got.every((id) => want.has(id));
  return { correct, earned: correct ? question.points : 0 };
}
