// The public site's own behaviour (portal app): "copy link" on a check result. Loaded from a
// file with `defer`, as the Content-Security-Policy allows no inline script. Without script
// the button stays hidden and the link is shown in a field to copy by hand.
(function () {
  "use strict";

  function say(button, text) {
    var status = button.closest(".share-result").querySelector(".share-status");
    if (status) status.textContent = text;
  }

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    if (!field) return;
    var done = function () { say(button, button.getAttribute("data-copied")); };
    var failed = function () {
      if (copyBySelection(field)) done();
      else say(button, button.getAttribute("data-failed"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
})();
