// Items put in order with "Move up"/"Move down" buttons (no drag needed). Response: item ids in order.
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
  const correct = got.length === question.correct.length && got.every((id, i) => id === question.correct[i]);
  return { correct, earned: correct ? question.points : 0 };
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
