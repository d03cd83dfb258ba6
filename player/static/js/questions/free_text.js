// A written answer: unscored (the LMS still gets the text, marked neutral), or right when it uses
// every keyword, letter case ignored. Response: [the text as written, line breaks kept].
export const type = 'long-fill-in';

const box = (form, question) => form.querySelector(`textarea[name="q-${question.id}"]`);
const fold = (text) => String(text).normalize('NFKC').toLocaleLowerCase();

/** Whether an answer to this question earns or loses points at all. */
export function scored(question) {
  return Boolean(question.correct && question.correct.length);
}

export function readResponse(form, question) {
  const text = box(form, question).value.trim();
  return text ? [text] : null;
}

export function writeResponse(form, question, response) {
  box(form, question).value = (response || [])[0] || '';
}

export function score(question, response) {
  if (!scored(question)) return { correct: false, earned: 0, scored: false };
  const text = fold((response || [])[0] || '');
  const correct = text !== '' && question.correct.every((keyword) => text.includes(fold(keyword)));
  return { correct, earned: correct ? question.points : 0 };
}
