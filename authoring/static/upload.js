// Uploads that show their progress: the bytes sent, then the server's work on them (a deck's
// slides are drawn and read before the course exists), then the page the server answers with.
"use strict";

(function () {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const bar = form.querySelector("progress");
    const state = form.querySelector(".upload-state");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        bar.hidden = false;
        bar.value = Math.round((progress.loaded / progress.total) * 100);
        state.textContent = `Uploading: ${bar.value}%`;
      });
      request.upload.addEventListener("load", () => {
        bar.removeAttribute("value"); // indeterminate while the server works
        state.textContent = "Uploaded. Drawing and reading the slides…";
      });
      request.addEventListener("load", () => {
        if (request.status < 400 && request.responseURL) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText); // the list again, with the reasons the upload was refused
        document.close();
      });
      request.addEventListener("error", () => {
        bar.hidden = true;
        state.textContent = "The upload was interrupted. Check your connection and try again.";
      });
      form.querySelector("button[type=submit]").disabled = true;
      state.textContent = "Uploading…";
      request.send(new FormData(form));
    });
  }
})();
