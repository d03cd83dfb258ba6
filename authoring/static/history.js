// The course history page: each revision's changes (the revision API's diff, shown as text with
// its added and removed lines marked), a comparison with any other revision, and restoring an
// old revision as a new one. The list itself is rendered by the server; after a restore (or a
// restore refused because the course changed meanwhile) the page loads the list again and says
// what happened. Every text from the server is set as text, never as HTML.
"use strict";

(function () {
  const root = document.getElementById("course");
  const list = document.getElementById("revisions");
  const status = document.getElementById("history-status");
  if (!root || !list || !status || !window.courseforge) return;
  const { api } = window.courseforge;
  const noticeKey = `courseforge:${root.dataset.courseId}:history-notice`;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The status line: `text`, and a link back to the course page when `withLink`. */
  function say(text, withLink = false) {
    status.replaceChildren(document.createTextNode(text));
    if (withLink) {
      const link = element("a", null, "Back to the course page");
      link.href = root.dataset.coursePage;
      status.append(" ", link);
    }
  }

  /** Reload the first page of the list (it holds the newest revisions) and say `text` there. */
  function reloadSaying(text, withLink) {
    try {
      sessionStorage.setItem(noticeKey, JSON.stringify({ text, withLink }));
    } catch (error) {
      say(`${text} Reload the page to see the latest revisions.`, withLink);
      return;
    }
    window.location.assign(root.dataset.firstPage);
  }

  function showNotice() {
    let notice = null;
    try {
      notice = JSON.parse(sessionStorage.getItem(noticeKey) || "null");
      sessionStorage.removeItem(noticeKey);
    } catch (error) {
      return; // storage disabled or a damaged entry: nothing to say
    }
    if (!notice || typeof notice.text !== "string") return;
    say(notice.text, notice.withLink === true);
    status.focus();
  }

  function lineNode(line, index) {
    if (index < 2 && (line.startsWith("--- ") || line.startsWith("+++ "))) return element("span", "file-line", line);
    if (line.startsWith("@@")) return element("span", "hunk", line);
    if (line.startsWith("+")) return element("ins", "added", line);
    if (line.startsWith("-")) return element("del", "removed", line);
    if (line.startsWith("\\")) return element("span", "note", line);
    return element("span", "context", line);
  }

  function unified(text) {
    const pre = element("pre", "unified");
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((line, index) => pre.append(lineNode(line, index)));
    return pre;
  }

  function fileList(title, paths, diffs) {
    const group = element("div", "file-group");
    group.append(element("h4", null, title));
    const items = element("ul", "files");
    for (const path of paths) {
      const item = element("li");
      item.append(element("code", null, path));
      if (!(path in diffs)) item.append(" (not shown: not a text file, or too large)");
      items.append(item);
    }
    group.append(items);
    return group;
  }

  function renderDiff(panel, number, diff) {
    const title = element("h3", null, `Changes from revision ${diff.from} to revision ${diff.to}`);
    title.id = `changes-title-${number}`;
    panel.replaceChildren(title);
    const groups = [
      ["Added files", diff.added],
      ["Removed files", diff.removed],
      ["Changed files", diff.changed],
    ];
    for (const [name, paths] of groups) if (paths.length) panel.append(fileList(name, paths, diff.diffs));
    if (!diff.added.length && !diff.removed.length && !diff.changed.length) {
      panel.append(element("p", null, "No files changed."));
    }
    for (const [path, text] of Object.entries(diff.diffs)) {
      if (!text) continue; // an empty file added or removed: listed above, no lines to show
      const figure = element("figure", "file-diff");
      figure.append(element("figcaption", null, path), unified(text));
      panel.append(figure);
    }
  }

  /** Show in `item`'s panel what changed between revisions `number` and `other`. */
  async function showDiff(item, number, other) {
    const panel = item.querySelector(".changes");
    const [older, newer] = other < number ? [other, number] : [number, other];
    say(`Loading the changes from revision ${older} to revision ${newer}…`);
    const result = await api("GET", `revisions/${newer}/diff?against=${older}`);
    if (!result.ok) {
      say(`The changes could not be loaded: ${result.body.detail || `the editor answered ${result.status}`}`);
      return false;
    }
    renderDiff(panel, number, result.body);
    panel.hidden = false;
    say(`Changes from revision ${older} to revision ${newer} shown below revision ${number}.`);
    return true;
  }

  function setShowButton(item, expanded) {
    const button = item.querySelector(".show-changes");
    if (!button) return;
    button.setAttribute("aria-expanded", String(expanded));
    button.textContent = expanded ? "Hide changes" : "Show changes";
  }

  async function toggleChanges(item, number) {
    const panel = item.querySelector(".changes");
    if (panel.dataset.showing === "previous" && !panel.hidden) {
      panel.hidden = true;
      setShowButton(item, false);
      say(`Changes of revision ${number} hidden.`);
      return;
    }
    if (await showDiff(item, number, number - 1)) {
      panel.dataset.showing = "previous";
      setShowButton(item, true);
    }
  }

  function toggleCompare(item, button) {
    const form = item.querySelector(".compare-form");
    form.hidden = !form.hidden;
    button.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector("input").focus();
  }

  async function compare(item, number, form) {
    const input = form.querySelector("input");
    const other = Number(input.value);
    const head = window.courseforge.head;
    if (!Number.isInteger(other) || other < 1 || other > head) {
      say(`Give a revision number from 1 to ${head} to compare with.`);
      input.focus();
      return;
    }
    if (other === number) {
      say(`That is revision ${number} itself: give another revision to compare with.`);
      input.focus();
      return;
    }
    if (await showDiff(item, number, other)) {
      item.querySelector(".changes").dataset.showing = `revision ${other}`;
      setShowButton(item, false);
    }
  }

  async function restore(number, button) {
    const head = window.courseforge.head;
    const question =
      `Restore revision ${number}? The course becomes what it was at revision ${number}, ` +
      `saved as a new revision ${head + 1}; every revision stays in the history.`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    say(`Restoring revision ${number}…`);
    const result = await api("POST", `revisions/${number}/restore`, { base_revision: head });
    if (result.ok) {
      reloadSaying(`Revision ${number} restored as revision ${result.body.revision}.`, true);
      return;
    }
    button.disabled = false;
    if (result.status === 409) {
      const latest = typeof result.body.head_revision === "number" ? ` (the latest is revision ${result.body.head_revision})` : "";
      reloadSaying(
        `Not restored: the course changed since this list was loaded${latest}. Here is the list again: ` +
          `look at the latest changes, then restore revision ${number} again if you still want to.`,
        false,
      );
      return;
    }
    say(`Not restored: ${result.body.detail || `the editor answered ${result.status}`}`);
  }

  for (const item of list.querySelectorAll(".revision")) {
    const number = Number(item.dataset.number);
    const actions = item.querySelector(".revision-actions");
    const showButton = item.querySelector(".show-changes");
    const compareButton = item.querySelector(".compare");
    const restoreButton = item.querySelector(".restore");
    const form = item.querySelector(".compare-form");
    if (showButton) showButton.addEventListener("click", () => toggleChanges(item, number));
    compareButton.addEventListener("click", () => toggleCompare(item, compareButton));
    if (restoreButton) restoreButton.addEventListener("click", () => restore(number, restoreButton));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      compare(item, number, form);
    });
    actions.hidden = false;
  }
  showNotice();
})();
