// The course player: navigation, progress, quizzes and scoring, reported through one tracker.
// index.html stays loaded for the whole visit (it holds the tracking session); pages are
// pre-rendered fragments fetched and swapped into <main>.
import { createTracker } from './tracking/index.js';
import { encodeState, decodeState, mergeStates } from './state.js';
import {
  KINDS, courseScore, courseStatus, interactionRecords, isScored, loadKinds, quizScore, scoreAnswer, videosWatched,
} from './scoring.js';
import { translator } from './i18n.js';
import { seeded } from './random.js';
import { askedQuestions, drawQuestions } from './bank.js';
import { pauseSessionAudio, sessionAudio, unlockMediaOnFirstGesture } from './media-unlock.js';

const $ = (selector, root = document) => root.querySelector(selector);
/** Elements whose data-* attribute equals `value`: learner input and ids never become selector text. */
const byData = (root, name, value) => [...root.querySelectorAll(`[data-${name}]`)]
  .filter((el) => el.getAttribute(`data-${name}`) === String(value));

const course = JSON.parse($('#course-data').textContent);
const pages = course.pages;
const t = translator(course.messages, course.language);
const pageIndex = new Map(pages.map((page, i) => [page.id, i]));
const quizzes = new Map(course.quizzes.map((quiz) => [quiz.id, quiz]));
const main = $('#main');
const ui = {
  menu: $('#menu'), toggle: $('#menu-toggle'), prev: $('#prev'), next: $('#next'), exit: $('#exit'),
  progress: $('#progress'), progressText: $('#progress-text'), position: $('#position'),
  notice: $('#notice'), announce: $('#announce'),
};

let tracker = null; // made by start(), which loads only the package's adapter
let state = { current: pages[0].id, visited: [], answers: {}, attempts: {}, submitted: {} };
let learner = '';
let finished = false;
let navigation = 0; // increases per navigation, so a slow fetch never replaces a newer page
const fragments = new Map();
const quizStarted = new Map();

// ------------------------------------------------------------------ helpers
function announce(text) {
  ui.announce.textContent = '';
  setTimeout(() => { ui.announce.textContent = text; }, 50);
}

function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = !text;
}

/**
 * This page's own fragment from `box` (a template holding what was fetched), or an error: an LMS
 * whose session expired answers the fetch with its sign-in page (often through a redirect, with
 * status 200), and that page must never be shown inside the course.
 */
function pageRoot(page, box) {
  const root = box.content.firstElementChild;
  if (!root || !root.matches('article.page') || root.dataset.page !== page.id || box.content.children.length !== 1) {
    throw new Error(`${page.href}: not this course's page`);
  }
  return root;
}

/**
 * A page fragment, checked. The launch page holds the first page's fragment in a template, so
 * the first page needs no request of its own; it is used once (a preview asks again for a page
 * it changed), and every other page is fetched.
 */
function fetchPage(page) {
  if (!fragments.has(page.href)) {
    const kept = [...document.querySelectorAll('template[data-fragment]')].find((box) => box.dataset.fragment === page.id);
    kept?.remove();
    const request = kept ? Promise.resolve().then(() => pageRoot(page, kept)) : fetch(page.href, {
      credentials: 'same-origin', redirect: 'manual',
    }).then(async (r) => {
      if (r.type === 'opaqueredirect' || r.redirected) throw new Error(`${page.href}: redirected`);
      if (!r.ok) throw new Error(`${page.href}: HTTP ${r.status}`);
      const box = document.createElement('template');
      box.innerHTML = await r.text();
      return pageRoot(page, box);
    });
    request.catch(() => fragments.delete(page.href));
    fragments.set(page.href, request);
  }
  return fragments.get(page.href).then((root) => root.cloneNode(true));
}

// Deterministic shuffle per learner, quiz and attempt: the same attempt shows the same order after a resume.
function shuffleChildren(container, random, avoid) {
  const items = [...container.children];
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  if (avoid && items.map((el) => el.dataset.choice).join() === avoid.join()) items.push(items.shift());
  container.append(...items);
}

// Linear mode opens a page once the one before was read and its videos with a completion rule
// watched enough; a completed course may be reviewed freely.
const reachable = (index) => course.navigation !== 'linear' || index === 0 || state.visited.includes(pages[index].id)
  || (state.visited.includes(pages[index - 1].id) && videosWatched(pages[index - 1], state)) || status().completed;

// ------------------------------------------------------------------ status
const status = () => courseStatus(course, state);

function save() {
  tracker.setScore(courseScore(course, state));
  tracker.setSuspendData(encodeState(state, course));
  tracker.setStatus(status());
  tracker.commit();
}

// ------------------------------------------------------------------ chrome: menu, progress, pager
function updateChrome() {
  const index = pageIndex.get(state.current);
  for (const link of ui.menu.querySelectorAll('[data-page]')) {
    const i = pageIndex.get(link.dataset.page);
    if (i === index) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    if (reachable(i)) {
      link.setAttribute('href', `#${link.dataset.page}`);
      link.removeAttribute('aria-disabled');
    } else {
      link.removeAttribute('href');
      link.setAttribute('aria-disabled', 'true');
    }
    link.classList.toggle('visited', state.visited.includes(link.dataset.page));
  }
  const seen = pages.filter((page) => state.visited.includes(page.id)).length;
  const percent = Math.round((seen / pages.length) * 100);
  ui.progress.setAttribute('aria-valuenow', String(percent));
  ui.progress.setAttribute('aria-valuetext', t('progress.text', { viewed: seen, total: pages.length }, pages.length));
  ui.progress.firstElementChild.style.width = `${percent}%`;
  ui.progressText.textContent = `${percent}%`;
  ui.position.textContent = t('page.position', { number: index + 1, total: pages.length });
  ui.prev.disabled = index === 0;
  ui.next.textContent = index === pages.length - 1 ? t('finish') : t('next');
  // A linear course's next page waits for this page's videos: Next says so, and explains when pressed.
  if (index < pages.length - 1 && !reachable(index + 1)) ui.next.setAttribute('aria-disabled', 'true');
  else ui.next.removeAttribute('aria-disabled');
}

function setMenuOpen(open) {
  ui.toggle.setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('menu-open', open);
}

// ------------------------------------------------------------------ media
/** The resume state's record of the videos a learner played (see video.js). */
const watchedVideos = {
  get: (id) => state.watched?.[id],
  set: (id, buckets, commit) => {
    state.watched = { ...state.watched, [id]: buckets };
    if (commit && !finished) {
      save();
      updateChrome(); // watching enough may open the next page of a linear course
    }
  },
};

/**
 * The narration and video modules a page (`root`, its article) needs: loaded only then, and
 * before the page is shown, so its controls are in place in its first frame (nothing moves
 * under the learner's finger). A failed download leaves the page's own media controls.
 */
async function mediaModules(root) {
  const [narration, video] = await Promise.all([
    root.querySelector('.block-narration') ? import('./narration.js').catch(() => null) : null,
    root.querySelector('.block-video') ? import('./video.js').catch(() => null) : null,
  ]);
  return { narration, video };
}

function enhanceMedia(root, { narration, video }) {
  narration?.enhanceNarrations(root, { t, player: sessionAudio() });
  video?.enhanceVideos(root, { t, watched: watchedVideos });
}

// ------------------------------------------------------------------ navigation
const LOAD_RETRY_MS = 800;

/** `load()`'s Promise, tried once more after a short wait when it fails (a weak network drops requests). */
async function retried(load) {
  try {
    return await load();
  } catch {
    await new Promise((resolve) => { setTimeout(resolve, LOAD_RETRY_MS); });
    return load();
  }
}

/** The question types a page asks. */
const pageKinds = (page) => page.quizzes.flatMap((id) => quizzes.get(id)?.questions.map((q) => q.type) ?? []);

/** The question types of every quiz submitted in `of`: what status() and the course score must be able to score. */
const submittedKinds = (of) => course.quizzes.filter((quiz) => of.submitted[quiz.id])
  .flatMap((quiz) => quiz.questions.map((q) => q.type));

/** A failed load said on the page, with a button that tries `again`. */
function showLoadError(again) {
  main.replaceChildren();
  const message = document.createElement('p');
  message.className = 'load-error';
  message.textContent = t('load.error');
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'button';
  retry.textContent = t('load.retry');
  retry.addEventListener('click', again);
  main.append(message, retry);
  main.removeAttribute('aria-busy');
  retry.focus();
}


async function go(id, { focus = true } = {}) {
  const index = pageIndex.get(id);
  if (finished || index === undefined || !reachable(index)) return;
  const page = pages[index];
  const ticket = ++navigation;
  main.setAttribute('aria-busy', 'true');
  let fragment;
  let media;
  try {
    // A failed load (network, redirect to a sign-in page, anything foreign) is tried once more.
    [fragment] = await Promise.all([retried(() => fetchPage(page)), retried(() => loadKinds(pageKinds(page)))]);
    media = await mediaModules(fragment);
  } catch {
    if (ticket === navigation) showLoadError(() => go(id));
    return;
  }
  if (ticket !== navigation) return;
  pauseSessionAudio();
  main.replaceChildren(fragment);
  main.removeAttribute('aria-busy');
  state.current = id;
  if (!state.visited.includes(id)) state.visited.push(id);
  for (const form of main.querySelectorAll('form[data-quiz]')) setupQuiz(form);
  enhanceMedia(fragment, media);
  updateChrome();
  document.title = `${page.title} – ${course.title}`;
  setMenuOpen(false);
  window.scrollTo(0, 0);
  if (focus) {
    $('h1', main).focus();
    announce(t('page.announce', { number: index + 1, total: pages.length, title: page.title }));
  }
  tracker.setLocation(id);
  tracker.setProgress({ visited: state.visited.length, total: pages.length });
  save();
  const next = pages[index + 1];
  if (next) Promise.all([fetchPage(next).then(mediaModules), loadKinds(pageKinds(next))]).catch(() => {});
}

/** A link to a page of the course, for the results view (handled like the menu's links). */
function pageLink(pageId, text) {
  const link = document.createElement('a');
  link.href = `#${pageId}`;
  link.dataset.page = pageId;
  link.textContent = text;
  return link;
}

function paragraph(text) {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

function linkList(items) {
  const list = document.createElement('ul');
  for (const [pageId, text] of items) {
    const item = document.createElement('li');
    item.append(pageLink(pageId, text));
    list.append(item);
  }
  return list;
}

/**
 * The results view, shown by Finish: pass or fail, the score, the questions answered wrongly with
 * a link to each one's page, and the pages not read yet. The session goes on (the learner may go
 * back and revisit) until "Save and exit".
 */
function showCourseResults() {
  navigation += 1;
  save();
  const { completed, passed } = status();
  const article = document.createElement('article');
  article.className = 'page results';
  const title = document.createElement('h1');
  title.className = 'page-title';
  title.tabIndex = -1;
  title.textContent = t('results.title');
  article.append(title, paragraph(t(passed === true ? 'exit.passed' : passed === false ? 'exit.failed'
    : completed ? 'exit.completed' : 'exit.later')));
  if (course.quizzes.length && passed !== null) {
    article.append(paragraph(t('results.score', { score: courseScore(course, state).raw, mark: course.passingScore })));
  }
  const pageOf = new Map(pages.flatMap((page) => page.quizzes.map((quizId) => [quizId, page])));
  const submitted = course.quizzes.filter((quiz) => state.submitted[quiz.id]);
  const wrong = submitted.flatMap((quiz) => askedQuestions(quiz, state)
    .filter((q) => isScored(q) && !scoreAnswer(q, state.answers[q.id]).correct)
    .map((q) => [pageOf.get(quiz.id).id, `${pageOf.get(quiz.id).title}: ${q.text}`]));
  if (submitted.length) {
    const heading = document.createElement('h2');
    heading.textContent = t('results.revisit');
    article.append(heading, wrong.length ? linkList(wrong) : paragraph(t('results.allRight')));
  }
  const unread = pages.filter((page) => !state.visited.includes(page.id));
  if (unread.length) {
    article.append(paragraph(t('results.unvisited', { count: unread.length }, unread.length)),
      linkList(unread.map((page) => [page.id, page.title])));
  }
  const exit = document.createElement('button');
  exit.type = 'button';
  exit.className = 'button button-primary';
  exit.textContent = t('results.exit');
  exit.addEventListener('click', finish);
  article.append(exit);
  main.replaceChildren(article);
  for (const link of ui.menu.querySelectorAll('[aria-current]')) link.removeAttribute('aria-current');
  title.focus();
}

function finish() {
  if (finished) return;
  save();
  const saved = tracker.finish();
  finished = true;
  const { completed, passed } = status();
  const summary = t(passed === true ? 'exit.passed' : passed === false ? 'exit.failed'
    : completed ? 'exit.completed' : 'exit.later');
  main.innerHTML = '<article class="page"><h1 class="page-title" tabindex="-1"></h1><p></p><p></p></article>';
  $('h1', main).textContent = t('exit.title');
  const [first, second] = main.querySelectorAll('p');
  first.textContent = summary;
  second.textContent = t(saved ? 'exit.saved' : 'exit.notSaved');
  for (const el of [ui.prev, ui.next, ui.exit]) el.disabled = true;
  for (const link of ui.menu.querySelectorAll('[data-page]')) {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
  }
  $('h1', main).focus();
}

// ------------------------------------------------------------------ quizzes
function attemptShown(quiz) {
  return (state.attempts[quiz.id] || 0) + (state.submitted[quiz.id] ? 0 : 1);
}

/**
 * A question bank's draw for the attempt shown: kept from the state when there is one (a question
 * removed since replaced, the draw grown or cut to the quiz's N), else drawn from the learner, quiz
 * and attempt, so another tab draws the same. A submitted attempt keeps the questions it was scored
 * on; one submitted before the quiz was a bank keeps those answered.
 */
function ensureDraw(quiz) {
  if (!quiz.draw) return;
  const kept = state.draws?.[quiz.id];
  if (state.submitted[quiz.id] && kept) return;
  const answered = state.submitted[quiz.id] ? quiz.questions.filter((q) => q.id in state.answers).map((q) => q.id) : [];
  const seed = `${learner}|${quiz.id}|draw|${attemptShown(quiz)}`;
  state.draws = { ...state.draws, [quiz.id]: drawQuestions(quiz, seed, kept || answered) };
}

/** Only the drawn questions of a bank are shown (the others are hidden and never read), numbered as drawn. */
function showAsked(form, quiz, asked) {
  if (!quiz.draw) return;
  const shown = new Set(asked.map((q) => q.id));
  for (const q of quiz.questions) {
    const [fieldset] = byData(form, 'question', q.id);
    if (!fieldset) continue;
    fieldset.hidden = !shown.has(q.id);
    fieldset.disabled = !shown.has(q.id);
  }
  asked.forEach((q, i) => {
    const [fieldset] = byData(form, 'question', q.id);
    const number = fieldset && $('.question-number', fieldset);
    if (number) number.textContent = t('question.number', { number: i + 1, total: asked.length });
  });
}

function setupQuiz(form) {
  const quiz = quizzes.get(form.dataset.quiz);
  if (!quiz) return;
  const live = (text) => { $('[data-live]', form).textContent = text; };
  ensureDraw(quiz);
  const asked = askedQuestions(quiz, state);
  showAsked(form, quiz, asked);
  for (const q of asked) {
    const [fieldset] = byData(form, 'question', q.id);
    const container = $('[data-shuffle]', fieldset);
    // Without shuffle, the rendered order stands (ordering items are rendered in a non-answer order).
    if (quiz.shuffle && container) {
      const random = seeded(`${learner}|${quiz.id}|${q.id}|${attemptShown(quiz)}`);
      shuffleChildren(container, random, q.type === 'ordering' ? q.correct : null);
    }
    KINDS[q.type].enhance?.(form, q, live, t);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitQuiz(form, quiz);
  });
  $('[data-action="retry"]', form).addEventListener('click', () => retryQuiz(quiz));
  if (state.submitted[quiz.id]) {
    for (const q of asked) if (q.id in state.answers) KINDS[q.type].writeResponse(form, q, state.answers[q.id]);
    showResults(form, quiz);
  }
  quizStarted.set(quiz.id, Date.now());
}

function submitQuiz(form, quiz) {
  const responses = new Map();
  const asked = askedQuestions(quiz, state);
  for (const q of asked) {
    const response = KINDS[q.type].readResponse(form, q);
    if (response === null) {
      const [fieldset] = byData(form, 'question', q.id);
      const result = $('[data-result]', form);
      result.textContent = t('quiz.answerFirst', { number: asked.indexOf(q) + 1, total: asked.length });
      $('input, select, button', fieldset).focus();
      return;
    }
    responses.set(q.id, response);
  }
  const latencyMs = Date.now() - (quizStarted.get(quiz.id) || Date.now());
  state.attempts[quiz.id] = (state.attempts[quiz.id] || 0) + 1;
  state.submitted[quiz.id] = true;
  for (const q of asked) {
    const response = responses.get(q.id);
    state.answers[q.id] = response;
    for (const record of interactionRecords(q, response)) tracker.recordInteraction({ ...record, latencyMs });
  }
  showResults(form, quiz);
  $('[data-result]', form).focus();
  save();
  updateChrome();
}

function retryQuiz(quiz) {
  for (const q of quiz.questions) delete state.answers[q.id];
  delete state.submitted[quiz.id];
  if (state.draws) delete state.draws[quiz.id]; // the next attempt draws afresh
  save();
  go(state.current, { focus: false }).then(() => {
    const form = byData(main, 'quiz', quiz.id).find((el) => el.matches('form'));
    if (form) $('input, select, [data-move]', form).focus();
    announce(t('quiz.attemptAnnounce', { quiz: quiz.title, number: attemptShown(quiz) }));
  });
}

/** Verdicts and feedback for a submitted quiz. The learner's answer is data: it is only compared, never parsed. */
function showResults(form, quiz) {
  const fmt = (n) => String(Math.round(n * 100) / 100);
  for (const q of askedQuestions(quiz, state)) {
    const [fieldset] = byData(form, 'question', q.id);
    const response = state.answers[q.id];
    const { correct, earned } = scoreAnswer(q, response);
    const scored = isScored(q);
    fieldset.classList.toggle('is-correct', scored && correct);
    fieldset.classList.toggle('is-incorrect', scored && !correct);
    const feedback = $('.feedback', fieldset);
    const verdict = document.createElement('p');
    verdict.className = 'verdict';
    verdict.textContent = !scored || correct || !earned
      ? t(!scored ? 'verdict.thanks' : correct ? 'verdict.correct' : 'verdict.incorrect')
      : t('verdict.partial', { earned: fmt(earned), points: fmt(q.points) }, q.points);
    feedback.replaceChildren(verdict);
    const choices = new Set((q.choices || []).map((c) => c.id));
    const picked = [].concat(response ?? []).map(String).filter((id) => choices.has(id));
    const notes = [...byData(fieldset, 'feedback', correct || !scored ? 'correct' : 'incorrect'),
      ...picked.flatMap((id) => byData(fieldset, 'feedback-choice', id))];
    for (const note of notes) feedback.append(note.content.cloneNode(true));
    fieldset.disabled = true;
  }
  const { earned, max, percent } = quizScore(quiz, state);
  const passed = percent >= quiz.passMark;
  const used = state.attempts[quiz.id] || 0;
  const left = quiz.attempts === 0 || used < quiz.attempts;
  $('[data-result]', form).textContent = [
    t('quiz.score', { earned: fmt(earned), max: fmt(max), percent: fmt(percent) }, max),
    t(passed ? 'quiz.passed' : 'quiz.notPassed', { mark: quiz.passMark }),
    ...(quiz.attempts ? [t('quiz.attempt', { used, allowed: quiz.attempts })] : []),
  ].join(' ');
  $('[data-action="submit"]', form).hidden = true;
  $('[data-action="retry"]', form).hidden = passed || !left;
}

// ------------------------------------------------------------------ start
/** The tracker's notice in the course's language (its code picks the message; its text is the fallback). */
function noticeText(session) {
  if (!session.notice) return '';
  return session.noticeCode ? t(`notice.${session.noticeCode}`, { code: session.lmsError || '?' }) : session.notice;
}

/** The learner's saved progress, or null; a string this course cannot read says so and starts afresh. */
function savedState(session) {
  if (!session.resume) return null;
  const saved = decodeState(session.resume, course);
  if (saved.current === null && !saved.visited.length) {
    showNotice(t('notice.unreadable'));
    return null;
  }
  return saved;
}

/**
 * An LMS found after the learner already started (its API appeared late): what was saved there
 * and what the learner did meanwhile are merged, nothing of either is lost, and the merged state
 * goes to the LMS. A learner who has not moved on yet is taken to where they left off.
 */
async function adoptLateSession(session) {
  learner = session.learnerId || session.learnerName || learner;
  showNotice(noticeText(session));
  if (!session.ok) return;
  const untouched = navigation <= 1 && Object.keys(state.answers).length === 0;
  const saved = savedState(session);
  if (saved) {
    const merged = mergeStates(saved, state);
    try {
      await retried(() => loadKinds(submittedKinds(merged)));
    } catch {
      showNotice(t('load.error')); // the saved answers cannot be scored yet; the session goes on as it was
      return;
    }
    state = merged;
  }
  const target = saved && [saved.current, session.location].find((id) => pageIndex.has(id) && reachable(pageIndex.get(id)));
  if (untouched && target && target !== state.current) {
    go(target, { focus: false });
    return;
  }
  tracker.setLocation(state.current);
  tracker.setProgress({ visited: state.visited.length, total: pages.length });
  save();
  updateChrome();
}

function wireChrome() {
  for (const area of [ui.menu, main]) {
    area.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-page]');
      if (!link || !area.contains(link)) return;
      event.preventDefault();
      go(link.dataset.page);
    });
  }
  ui.prev.addEventListener('click', () => go(pages[pageIndex.get(state.current) - 1]?.id));
  ui.next.addEventListener('click', () => {
    const index = pageIndex.get(state.current);
    const next = pages[index + 1];
    if (next && !reachable(index + 1)) {
      announce(t('pager.watchFirst'));
      $('.block-video video', main)?.focus();
    } else if (next) go(next.id); else showCourseResults();
  });
  ui.exit.addEventListener('click', finish);
  ui.toggle.addEventListener('click', () => {
    const open = ui.toggle.getAttribute('aria-expanded') !== 'true';
    setMenuOpen(open);
    if (open) $('[aria-current="page"], a[href]', ui.menu)?.focus();
  });
  document.addEventListener('click', (event) => {
    const outside = !ui.menu.contains(event.target) && !ui.toggle.contains(event.target);
    if (outside && document.body.classList.contains('menu-open')) setMenuOpen(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.body.classList.contains('menu-open')) {
      setMenuOpen(false);
      ui.toggle.focus();
    }
  });
}

async function start() {
  main.setAttribute('aria-busy', 'true');
  try {
    tracker = await retried(() => createTracker(course.tracking));
  } catch {
    showLoadError(() => window.location.reload());
    return;
  }
  wireChrome();
  unlockMediaOnFirstGesture();
  const session = await tracker.start();
  tracker.onSession(adoptLateSession);
  learner = session.learnerId || session.learnerName || '';
  showNotice(noticeText(session));
  const saved = savedState(session);
  if (saved) state = { ...state, ...saved };
  resume(session);
}

/** The first page: where the learner left off, once the types of their submitted answers are loaded. */
async function resume(session) {
  main.setAttribute('aria-busy', 'true');
  try {
    await retried(() => loadKinds(submittedKinds(state)));
  } catch {
    showLoadError(() => resume(session));
    return;
  }
  const first = [state.current, session.location].find((id) => pageIndex.has(id) && reachable(pageIndex.get(id)));
  await go(first || pages[0].id, { focus: false });
}

// ------------------------------------------------------------------ the editor's live preview
/**
 * The course editor shows this player beside the page an author edits, from the editor's own
 * origin, and asks for a page by dispatching `courseforge:preview-page` on this document (detail:
 * the page's id): its fragment is fetched again, since the author just changed it, and shown; the
 * session, the answers and the progress stay as they are. Only a script of the player's own
 * origin can dispatch it; an LMS serving the package from its origin could, and would get no more
 * than the menu gives: a page of the course shown (and, in a linear course, only an open one).
 */
function showPreviewPage(id) {
  fragments.clear();
  go(pageIndex.has(id) ? id : state.current, { focus: false });
}

const started = start();
document.addEventListener('courseforge:preview-page', (event) => {
  started.then(() => showPreviewPage(String(event.detail)));
});
