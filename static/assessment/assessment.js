/* 标为典型经验 (templates/assessment/practice_mark.html): "使用选中的文字" copies the text selected in the
   report's body into the passage field. No inline script (the CSP forbids it): wired by data- attributes. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-selection]");
    if (!button) { return; }
    event.preventDefault();
    var source = document.getElementById(button.getAttribute("data-source"));
    var target = document.getElementById(button.getAttribute("data-use-selection"));
    var selection = window.getSelection();
    if (!source || !target || !selection || selection.rangeCount === 0) { return; }
    var range = selection.getRangeAt(0);
    if (!source.contains(range.commonAncestorContainer)) { return; }
    target.value = selection.toString().trim();
    target.focus();
  });
})();
