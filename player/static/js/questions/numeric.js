// A typed number, scored against a range (an exact answer is a range of one value, a tolerance
// widens it). Read the way the course's language writes numbers: "3,5" is three and a half in a
// Dutch course, "1,000" a thousand in an English one. Response: the number (or null if none).
export const type = 'numeric';

/** The decimal and grouping marks of `lang`, as Intl writes 12345.6. */
function marks(lang) {
  const parts = new Intl.NumberFormat(lang || 'en').formatToParts(12345.6);
  return { decimal: parts.find((p) => p.type === 'decimal')?.value || '.', group: parts.find((p) => p.type === 'group')?.value || ',' };
}

/**
 * `text` with Arabic-Indic and Eastern Arabic-Indic digits (what an Arabic or Persian keyboard
 * types) as 0-9, and the Arabic decimal separator as ".": the Arabic thousands separator is
 * dropped with the spaces by parseNumber.
 */
function latinDigits(text) {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) & 0xf)).replace(/\u066b/g, '.');
}

/**
 * The number a learner typed, or null when it is not one. Spaces are ignored; with both "." and ","
 * the last is the decimal mark; a single mark is the decimal mark, unless it is the language's
 * grouping mark followed by exactly three digits (Dutch "1.000", English "1,000"). Arabic digits
 * and marks are read too ("٦٫٥" is 6.5).
 */
export function parseNumber(text, lang) {
  let s = latinDigits(String(text ?? '')).replace(/[\s\u00a0\u202f'\u066c]/g, '').replace(/^[\u2212\u2012\u2013]/, '-');
  if (!s) return null;
  const { group } = marks(lang);
  const dots = (s.match(/\./g) || []).length;
  const commas = (s.match(/,/g) || []).length;
  if (dots && commas) {
    const decimal = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
    s = s.split(decimal === '.' ? ',' : '.').join('').replace(decimal, '.');
  } else if (dots + commas > 1) {
    s = s.replace(/[.,]/g, '');
  } else if (dots + commas === 1) {
    const mark = dots ? '.' : ',';
    s = mark === group && /^-?\d{1,3}[.,]\d{3}$/.test(s) ? s.replace(mark, '') : s.replace(mark, '.');
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const value = Number(s);
  return Number.isFinite(value) ? value : null;
}

/** `value` as the course's language writes it (no grouping marks, the language's decimal mark). */
export function formatNumber(value, lang) {
  return String(value).replace('.', marks(lang).decimal);
}

const input = (form, question) => form.querySelector(`input[name="q-${question.id}"]`);
const language = (form) => form.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || 'en';

export function readResponse(form, question) {
  return parseNumber(input(form, question).value, language(form));
}

export function writeResponse(form, question, response) {
  input(form, question).value = typeof response === 'number' ? formatNumber(response, language(form)) : '';
}

export function score(question, response) {
  const { min, max } = question.correct;
  const slack = 1e-9 * Math.max(1, Math.abs(min), Math.abs(max));  // 0.1 + 0.2 is still 0.3
  const correct = typeof response === 'number' && response >= min - slack && response <= max + slack;
  return { correct, earned: correct ? question.points : 0 };
}
