// Parts of an image, picked by tapping or clicking them on the image, or from the list of their
// labels after it (keyboard and screen reader; shown when it has the focus). The list's inputs
// hold the answer and the image only sets them, so both ways give the same answer, and a resumed
// answer needs no pointer position. One correct region: one pick (radios); several: every
// correct region and no other (checkboxes). Response: the picked region ids, in authored order.
import * as choices from './multiple_response.js';

export { readResponse, score } from './multiple_response.js';

export const type = 'choice';

const inputs = (form, question) => form.querySelectorAll(`input[name="q-${question.id}"]`);
const box = (form, question) => form.querySelector(`[data-question="${question.id}"] [data-hotspot]`);
const coords = (label) => label.dataset.coords.split(',').map(Number);

export function writeResponse(form, question, response) {
  choices.writeResponse(form, question, response);
  mark(form, question);
}

/**
 * Whether the point (x, y), in percent of the image's width and height, is inside a region.
 * ``aspect`` is the image's height over its width as shown: a circle's radius is a percentage of
 * the width, so its height in percent of the image's height depends on the picture's shape.
 */
export function inside(shape, c, x, y, aspect = 1) {
  if (shape === 'rectangle') return x >= c[0] && x <= c[0] + c[2] && y >= c[1] && y <= c[1] + c[3];
  if (shape === 'circle') {
    const dx = x - c[0];
    const dy = (y - c[1]) * aspect;
    return dx * dx + dy * dy <= c[2] * c[2];
  }
  let hit = false; // a polygon: a ray from the point crosses its edges an odd number of times
  for (let i = 0, j = c.length - 2; i < c.length; j = i, i += 2) {
    const [xi, yi, xj, yj] = [c[i], c[i + 1], c[j], c[j + 1]];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Where a picked region's mark goes: its centre (a polygon's: the mean of its corners). */
export function centre(shape, c) {
  if (shape === 'rectangle') return [c[0] + c[2] / 2, c[1] + c[3] / 2];
  if (shape === 'circle') return [c[0], c[1]];
  let x = 0;
  let y = 0;
  for (let i = 0; i < c.length; i += 2) {
    x += c[i];
    y += c[i + 1];
  }
  return [x / (c.length / 2), y / (c.length / 2)];
}

/** The region a pointer event lands in, first listed first, or null. */
export function regionAt(labels, event, image) {
  const rect = image.getBoundingClientRect();
  if (!rect.width || !rect.height) return null;
  const x = ((event.clientX - rect.left) / rect.width) * 100;
  const y = ((event.clientY - rect.top) / rect.height) * 100;
  return labels.find((label) => inside(label.dataset.shape, coords(label), x, y, rect.height / rect.width)) || null;
}

/** One mark on the image per picked region (the list says the same to assistive technology). */
function mark(form, question) {
  const area = box(form, question);
  if (!area) return;
  for (const old of area.querySelectorAll('.hotspot-mark')) old.remove();
  for (const input of inputs(form, question)) {
    if (!input.checked) continue;
    const label = input.closest('[data-shape]');
    const [x, y] = centre(label.dataset.shape, coords(label));
    const dot = document.createElement('span');
    dot.className = 'hotspot-mark';
    dot.setAttribute('aria-hidden', 'true');
    // Physical left, not inline-start: the coordinates are the picture's, and it is never mirrored.
    dot.style.left = `${x}%`;
    dot.style.top = `${y}%`;
    area.append(dot);
  }
}

export function enhance(form, question, announce, t) {
  const area = box(form, question);
  const image = area?.querySelector('img');
  if (!image) return;
  const labels = [...form.querySelectorAll(`[data-question="${question.id}"] [data-shape]`)];
  // The list stays out of sight for pointer users until the keyboard reaches it; then it stays,
  // so leaving it moves nothing under the pointer (a click on Submit lands on Submit).
  const list = labels[0]?.parentElement;
  if (list) {
    list.classList.add('is-collapsed');
    list.addEventListener('focusin', () => list.classList.remove('is-collapsed'));
  }
  area.addEventListener('click', (event) => {
    if (area.closest('fieldset').disabled) return;
    const label = regionAt(labels, event, image);
    if (!label) {
      announce(t('hotspot.none'));
      return;
    }
    const input = label.querySelector('input');
    input.checked = input.type === 'radio' ? true : !input.checked;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const region = label.textContent.trim();
    announce(t(input.checked ? 'hotspot.picked' : 'hotspot.unpicked', { region }));
  });
  form.addEventListener('change', (event) => {
    if (event.target.name === `q-${question.id}`) mark(form, question);
  });
  mark(form, question);
}
