// A statement judged true or false. Response: true or false.
export const type = 'true-false';

export function readResponse(form, question) {
  const input = form.querySelector(`input[name="q-${question.id}"]:checked`);
  return input ? input.value === 'true' : null;
}

export function writeResponse(form, question, response) {
  for (const input of form.querySelectorAll(`input[name="q-${question.id}"]`)) input.checked = input.value === String(response);
}

export function score(question, response) {
  const correct = response === question.correct;
  return { correct, earned: correct ? question.points : 0 };
}
