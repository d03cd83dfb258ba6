// One answer among several choices (radio buttons). Response: the chosen choice id.
export const type = 'choice';

export function readResponse(form, question) {
  const input = form.querySelector(`input[name="q-${question.id}"]:checked`);
  return input ? input.value : null;
}

export function writeResponse(form, question, response) {
  for (const input of form.querySelectorAll(`input[name="q-${question.id}"]`)) input.checked = input.value === response;
}

export function score(question, response) {
  const correct = response === question.correct;
  return { correct, earned: correct ? question.points : 0 };
}
