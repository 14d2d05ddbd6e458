// The staff portal's "Copy link": copies the person's share link and records the share with
// the same POST the button sends without script (answered as JSON here, so the page stays).
// Loaded from a file with `defer`, after portal.js (its copy function): the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function say(form, key) {
    var status = form.closest(".share-bulletin").querySelector(".share-status");
    if (status) status.textContent = status.getAttribute(key);
  }

  function record(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  }

  document.querySelectorAll("form[data-share-copy]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var field = document.getElementById(form.getAttribute("data-share-copy"));
      if (!field) return;  // the plain POST records it and shows the link
      event.preventDefault();
      window.chinhthongCopy(field).then(function (copied) {
        say(form, copied ? "data-copied" : "data-failed");
      });
      record(form).catch(function () { /* the link is copied; the share goes unrecorded */ });
    });
  });
})();
