// Items put in order with "Move up"/"Move down" buttons (no drag needed). Response: item ids in order.
// Partial credit: (K - 1) / (items - 1), K the most items already in the right order relative to
// one another (they could stay while the rest move): one item out of place loses one step, and
// a list in reverse order earns nothing.
import { credit } from '../credit.js';

export const type = 'sequencing';

const list = (form, question) => form.querySelector(`[data-question="${question.id}"] [data-order]`);

export function readResponse(form, question) {
  return [...list(form, question).children].map((li) => li.dataset.choice);
}

export function writeResponse(form, question, response) {
  const ol = list(form, question);
  const items = new Map([...ol.children].map((li) => [li.dataset.choice, li]));
  for (const id of response || []) if (items.has(id)) ol.append(items.get(id));
  refresh(ol);
}

export function score(question, response) {
  const got = response || [];
  const n = question.correct.length;
  const correct = got.length === n && got.every((id, i) => id === question.correct[i]);
  return credit(question, correct ? 1 : n > 1 ? (inOrder(question.correct, got) - 1) / (n - 1) : 0);
}

/** The longest run of `got`'s items (not necessarily adjacent) that stands in the order of `want`. */
export function inOrder(want, got) {
  const place = new Map(want.map((id, i) => [id, i]));
  const ranks = [...new Set(got)].filter((id) => place.has(id)).map((id) => place.get(id));
  const longest = ranks.map(() => 1);
  for (let i = 0; i < ranks.length; i++) {
    for (let j = 0; j < i; j++) if (ranks[j] < ranks[i]) longest[i] = Math.max(longest[i], longest[j] + 1);
  }
  return Math.max(1, ...longest);
}

// Buttons at the ends stay focusable (aria-disabled), so keyboard focus never falls off the list.
function refresh(ol) {
  const items = [...ol.children];
  items.forEach((li, i) => {
    li.querySelector('[data-move="-1"]').setAttribute('aria-disabled', String(i === 0));
    li.querySelector('[data-move="1"]').setAttribute('aria-disabled', String(i === items.length - 1));
  });
}

export function enhance(form, question, announce, t) {
  const ol = list(form, question);
  refresh(ol);
  ol.addEventListener('click', (event) => {
    const button = event.target.closest('[data-move]');
    if (!button || button.getAttribute('aria-disabled') === 'true' || button.closest('fieldset').disabled) return;
    const li = button.closest('li');
    const step = Number(button.dataset.move);
    const sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!sibling) return;
    if (step < 0) ol.insertBefore(li, sibling); else ol.insertBefore(sibling, li);
    refresh(ol);
    button.focus();
    const position = [...ol.children].indexOf(li) + 1;
    announce(t('order.moved', { item: li.querySelector('.order-text').textContent, position, total: ol.children.length }));
  });
}
