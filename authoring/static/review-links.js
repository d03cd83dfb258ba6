// Review links on the course page, for those who may change the course: make a link to the
// latest revision or to a published one (the revision of a finished build), for 1 to 90 days,
// with a label; its address is shown once, to copy; the course's links are listed with their
// state and comment count, each with Revoke. Every text reaches the page as textContent.
"use strict";

(function () {
  const cf = window.courseforge;
  const root = document.getElementById("course");
  if (!cf || !root || root.dataset.editable !== "true") return;
  const DAYS = 14;
  const MAX_DAYS = 90;

  const { el } = cf;

  const problemText = (result) => String((result.body && result.body.detail) || `the editor answered ${result.status}`);
  const day = (iso) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "");
  const STATES = { active: "works", expired: "expired", revoked: "revoked" };

  const ui = {
    revision: el("select", { id: "review-link-revision" }),
    days: el("input", { id: "review-link-days", type: "number", min: "1", max: String(MAX_DAYS), step: "1", value: String(DAYS),
      inputmode: "numeric" }),
    label: el("input", { id: "review-link-label", type: "text", maxlength: "200" }),
    state: el("p", { class: "review-link-state", role: "status" }),
    made: el("div", { class: "review-link-made", hidden: true }),
    rows: el("tbody", {}),
  };
  const form = el("form", { class: "review-link-form", novalidate: true },
    el("div", { class: "field" }, el("label", { for: ui.revision.id, text: "Revision to show" }), ui.revision),
    el("div", { class: "field" }, el("label", { for: ui.days.id, text: `Works for (days, at most ${MAX_DAYS})` }), ui.days),
    el("div", { class: "field" }, el("label", { for: ui.label.id, text: "Label (optional: who it is for)" }), ui.label),
    el("button", { type: "submit", text: "Make a review link" }));
  const heading = el("h2", { id: "review-links-title", tabindex: "-1", text: "Review links" });
  const section = el("section", { class: "review-links", id: "review-links", "aria-labelledby": heading.id },
    heading,
    el("p", { class: "meta", text: "Someone with a link sees that revision as learners do and comments on it, without an account." }),
    form, ui.state, ui.made,
    el("table", { class: "review-link-list" },
      el("caption", { text: "Links made" }),
      el("thead", {}, el("tr", {}, ...["Label", "Revision", "Works until", "State", "Comments", ""].map((text) =>
        el("th", { scope: "col" }, text ? text : el("span", { class: "visually-hidden", text: "Revoke" }))))),
      ui.rows));

  function fillRevisions(head, builds) {
    const published = [...new Map(builds.filter((b) => b.status === "done" && b.revision !== head)
      .map((b) => [b.revision, b])).values()];
    ui.revision.replaceChildren(
      el("option", { value: "", text: `The latest (revision ${head})` }),
      ...published.map((b) => el("option", { value: String(b.revision), text: `Revision ${b.revision}, published ${day(b.created_at)} as ${b.format_name}` })),
    );
  }

  function drawLinks(links) {
    ui.rows.replaceChildren(...(links.length ? links.map((link) => el("tr", { class: `review-link-${link.state}` },
      el("td", { text: link.label || "—" }),
      el("td", { text: String(link.revision) }),
      el("td", {}, el("time", { datetime: link.expires_at, text: day(link.expires_at) })),
      el("td", { text: STATES[link.state] || link.state }),
      el("td", { text: String(link.comments) }),
      el("td", {}, link.state === "revoked" ? "" : el("button", {
        type: "button",
        text: "Revoke",
        "aria-label": `Revoke the review link ${link.label ? `'${link.label}'` : `to revision ${link.revision}`}`,
        onclick: () => revoke(link),
      })))) : [el("tr", { class: "none" }, el("td", { colspan: "6", text: "No review links yet." }))]));
  }

  async function refresh() {
    const [links, builds] = await Promise.all([cf.api("GET", "review-links"), cf.api("GET", "builds")]);
    if (!links.ok) {
      ui.state.textContent = `The review links could not be read: ${problemText(links)}`;
      return;
    }
    fillRevisions(links.body.head_revision, builds.ok ? builds.body.builds : []);
    drawLinks(links.body.links);
  }

  async function revoke(link) {
    const result = await cf.api("DELETE", `review-links/${link.id}`);
    ui.state.textContent = result.ok ? "The link is revoked: it opens nothing from now on." : `Not revoked: ${problemText(result)}`;
    await refresh();
    heading.focus(); // the row's button is gone: the focus goes back to the top of the list
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { expires_in_days: Number(ui.days.value), label: ui.label.value.trim() };
    if (ui.revision.value) body.revision = Number(ui.revision.value);
    const result = await cf.api("POST", "review-links", body);
    if (!result.ok) {
      ui.state.textContent = `No link made: ${problemText(result)}`;
      const field = result.body && result.body.field;
      const wrong = { expires_in_days: ui.days, label: ui.label, revision: ui.revision }[field];
      if (wrong) wrong.focus();
      return;
    }
    const address = el("input", { id: "review-link-address", type: "text", readonly: true, value: result.body.url });
    const copy = el("button", {
      type: "button",
      text: "Copy the link",
      onclick: async () => {
        address.select();
        try {
          await navigator.clipboard.writeText(result.body.url);
          ui.state.textContent = "The link is copied.";
        } catch {
          ui.state.textContent = "Select the address and copy it.";
        }
      },
    });
    ui.made.replaceChildren(
      el("label", { for: address.id, text: `Review link to revision ${result.body.revision}: copy it now, it is shown only once` }),
      el("span", { class: "review-link-copy" }, address, copy));
    ui.made.hidden = false;
    ui.label.value = "";
    ui.state.textContent = "The review link is made.";
    await refresh();
    address.focus();
    address.select();
  });

  const publish = document.getElementById("publish");
  if (publish) publish.after(section);
  else root.append(section);
  refresh();
})();
