// A typed answer compared with the accepted answers. Response: [the typed text] (same shape as `correct`).
export const type = 'fill-in';

const tidy = (text) => String(text).trim().replace(/\s+/g, ' ');

export function readResponse(form, question) {
  const text = tidy(form.querySelector(`input[name="q-${question.id}"]`).value);
  return text ? [text] : null;
}

export function writeResponse(form, question, response) {
  form.querySelector(`input[name="q-${question.id}"]`).value = (response || [])[0] || '';
}

export function score(question, response) {
  const fold = (text) => (question.caseSensitive ? tidy(text) : tidy(text).toLocaleLowerCase());
  const given = fold((response || [])[0] || '');
  const correct = given !== '' && question.correct.some((accepted) => fold(accepted) === given);
  return { correct, earned: correct ? question.points : 0 };
}
