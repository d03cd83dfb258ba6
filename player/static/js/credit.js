/**
 * Partial credit (multiple response, matching, ordering with `partialCredit`): a partly right
 * answer earns the question's points times the fraction of it that is right, to 2 decimals. Its
 * verdict and its interaction's result stay "incorrect": only an answer all right is correct.
 */

/** { correct, earned } from the fraction right (0 to 1) of an answer. */
export function credit(question, fraction) {
  const correct = fraction === 1;
  if (correct) return { correct, earned: question.points };
  if (!question.partialCredit) return { correct, earned: 0 };
  return { correct, earned: Math.round(question.points * Math.min(1, Math.max(0, fraction)) * 100) / 100 };
}
