// Keyboard help for the check forms (the check page and the home page), loaded on every page.
// No inline script anywhere: the Content-Security-Policy allows only this site's files.
(function () {
  "use strict";

  // Enter checks a one-line input; Shift+Enter starts a new line, for pasting a message. Once
  // the text has several lines, Enter adds lines too and Ctrl+Enter (or the button) checks it.
  function submitsOnEnter(textarea) {
    textarea.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) {
        return; // an input method (Telex, VNI) is still composing a letter
      }
      if (event.shiftKey || event.altKey) {
        return;
      }
      var oneLine = textarea.value.indexOf("\n") === -1;
      if (!oneLine && !(event.ctrlKey || event.metaKey)) {
        return;
      }
      event.preventDefault();
      var form = textarea.form;
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    var hint = textarea.form.querySelector(".keys-hint[id]");
    if (hint) {
      hint.hidden = false; // said only where the keys work: with this script running
      var described = textarea.getAttribute("aria-describedby");
      textarea.setAttribute("aria-describedby", described ? described + " " + hint.id : hint.id);
    }
  }

  // When a verdict is shown, move the focus to it: a screen reader reads it at once, and a
  // phone scrolls to it below the form.
  // A refused input instead puts the focus back in the box, with its error read out.
  function focusVerdict() {
    var verdict = document.getElementById("verdict-heading");
    if (verdict) {
      if (!verdict.hasAttribute("tabindex")) {
        verdict.setAttribute("tabindex", "-1");
      }
      verdict.focus();
      return;
    }
    var refused = document.querySelector("form.check .error");
    if (refused) {
      var form = refused.closest("form");
      var box = form.querySelector("[aria-invalid=true]") || form.querySelector("textarea");
      if (box) {
        box.focus();
      }
    }
  }

  function start() {
    var boxes = document.querySelectorAll("form.check textarea");
    for (var i = 0; i < boxes.length; i++) {
      submitsOnEnter(boxes[i]);
    }
    focusVerdict();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
