// Publishing from the course page: start a build of the shown revision, follow its progress by
// polling the build until it ends, then show its problems or refresh the list of builds with the
// new package's download link. Every text from the server is set as text, never as HTML.
"use strict";

(function () {
  const section = document.getElementById("publish");
  const form = document.getElementById("publish-form");
  if (!section || !form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const buildsUrl = section.dataset.builds;
  const bar = document.getElementById("publish-progress");
  const state = section.querySelector(".publish-state");
  const problems = section.querySelector(".publish-problems");
  const button = form.querySelector("button[type=submit]");
  const POLL_MS = 700;

  function size(bytes) {
    if (bytes === null) return "";
    const units = ["bytes", "KB", "MB", "GB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  async function refreshList() {
    const response = await fetch(buildsUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const body = await response.json();
    const tbody = document.getElementById("builds");
    tbody.replaceChildren();
    for (const build of body.builds) {
      const row = document.createElement("tr");
      cell(row, build.created_at.slice(0, 16).replace("T", " "));
      cell(row, build.format_name);
      cell(row, String(build.revision));
      cell(row, size(build.size));
      const last = cell(row, build.download ? "" : build.status);
      if (build.download) {
        const link = document.createElement("a");
        link.href = build.download;
        link.textContent = "Download";
        last.appendChild(link);
      }
      tbody.appendChild(row);
    }
  }

  function showProblems(list) {
    problems.replaceChildren();
    for (const problem of list) {
      const item = document.createElement("li");
      item.textContent = problem.text;
      problems.appendChild(item);
    }
    problems.hidden = list.length === 0;
  }

  async function follow(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    const build = await response.json().catch(() => ({}));
    if (!response.ok) {
      state.textContent = build.detail || "The build can no longer be followed.";
      button.disabled = false;
      return;
    }
    if (build.status === "running") {
      bar.value = build.progress;
      state.textContent = `Building ${build.format_name}: ${build.step} (${Math.round(build.progress * 100)}%)`;
      window.setTimeout(() => follow(url), POLL_MS);
      return;
    }
    button.disabled = false;
    bar.hidden = true;
    if (build.status === "done") {
      state.textContent = `Built ${build.format_name} of revision ${build.revision}: ${size(build.size)}.`;
    } else {
      state.textContent = "The build failed. Fix these problems and publish again:";
      showProblems(build.problems);
    }
    refreshList();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const revision = document.getElementById("revision");
    const chosen = form.querySelector('input[name="format"]:checked');
    button.disabled = true;
    showProblems([]);
    state.textContent = "Starting the build…";
    let response;
    try {
      response = await fetch(buildsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ format: chosen.value, revision: Number(revision.textContent) }),
      });
    } catch (error) {
      button.disabled = false;
      state.textContent = "The editor cannot be reached; try again.";
      return;
    }
    const build = await response.json().catch(() => ({}));
    if (!response.ok) {
      button.disabled = false;
      state.textContent = build.detail || `The build was refused (HTTP ${response.status}).`;
      return;
    }
    bar.hidden = false;
    bar.value = 0;
    follow(build.url);
  });
})();
