// The public site's own behaviour (portal app): "copy link" on a check result or a bulletin.
// Loaded on every page from a file with `defer`, as the Content-Security-Policy allows no
// inline script; `chinhthongCopy` serves the staff portal's share link too (reach-portal.js).
// Without script the button stays hidden and the link is shown in a field to copy by hand.
(function () {
  "use strict";

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  // The field's text to the clipboard: a promise of whether it was copied.
  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(
        function () { return true; },
        function () { return copyBySelection(field); }
      );
    }
    return Promise.resolve(copyBySelection(field));
  }
  window.chinhthongCopy = copy;

  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(field).then(function (copied) {
        var status = button.closest(".share-result").querySelector(".share-status");
        if (status) status.textContent = button.getAttribute(copied ? "data-copied" : "data-failed");
      });
    });
  });
})();
