// Autosave for text blocks: each textarea remembers the revision its text was loaded or last
// saved at, and sends it with every save, so the server can merge saves to different blocks and
// refuse (with both versions) a save to a block someone else changed meanwhile.
"use strict";

(function () {
  const course = document.getElementById("course");
  if (!course) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const api = course.dataset.api;
  const revisionLabel = document.getElementById("revision");
  const IDLE_MS = 800;

  function show(area, text) {
    area.parentElement.querySelector(".save-state").textContent = text;
  }

  async function save(area) {
    area.dataset.dirty = "";
    const sent = area.value;
    show(area, "Saving…");
    let response;
    try {
      response = await fetch(`${api}/blocks/${encodeURIComponent(area.dataset.blockId)}/markdown`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ base_revision: Number(area.dataset.base), markdown: sent }),
      });
    } catch (error) {
      area.dataset.dirty = "1";
      show(area, "Not saved: the editor cannot be reached. Your text is kept here; it is saved when you type again.");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      area.dataset.base = String(body.revision);
      revisionLabel.textContent = String(body.revision);
      const preview = area.parentElement.querySelector(".preview");
      preview.innerHTML = body.html; // rendered and sanitised (nh3) by the server
      show(area, body.merged ? "Saved (merged with other changes)." : "Saved.");
      if (area.value !== sent) schedule(area);
    } else if (response.status === 409) {
      conflict(area, body);
    } else {
      area.dataset.dirty = "1";
      show(area, `Not saved: ${body.detail || response.statusText}`);
    }
  }

  function conflict(area, body) {
    const box = area.parentElement.querySelector(".conflict");
    const theirs = body.conflicts && body.conflicts[0] ? body.conflicts[0].theirs : "";
    box.hidden = false;
    box.replaceChildren();
    const message = document.createElement("p");
    message.textContent = body.detail;
    const label = document.createElement("p");
    label.textContent = `Their version (revision ${body.head_revision}):`;
    const theirText = document.createElement("pre");
    theirText.textContent = theirs ?? "";
    const keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = "Keep mine";
    keep.addEventListener("click", () => {
      area.dataset.base = String(body.head_revision);
      box.hidden = true;
      save(area);
    });
    const take = document.createElement("button");
    take.type = "button";
    take.textContent = "Take theirs";
    take.addEventListener("click", () => {
      area.value = theirs ?? "";
      area.dataset.base = String(body.head_revision);
      box.hidden = true;
      show(area, "Their version loaded.");
    });
    box.append(message, label, theirText, keep, take);
    show(area, "Not saved: someone else changed this block. Your text is kept here.");
  }

  function schedule(area) {
    area.dataset.dirty = "1";
    clearTimeout(area._timer);
    area._timer = setTimeout(() => save(area), IDLE_MS);
  }

  for (const area of document.querySelectorAll("textarea.markdown")) {
    area.addEventListener("input", () => schedule(area));
  }
  window.addEventListener("beforeunload", (event) => {
    if (document.querySelector('textarea.markdown[data-dirty="1"]')) event.preventDefault();
  });
})();
