/* The year-end report editor (templates/annual/part_edit.html) and draft page (report.html).
   No inline script (the CSP forbids it): behaviour is wired through data- attributes.
   - [data-insert] buttons put their text into the textarea named by the closest [data-insert-target]
     at the cursor (a whole report goes in as its own paragraphs);
   - [data-confirm] links and buttons ask before going on (the download while placeholders remain). */
(function () {
  "use strict";

  function insertAt(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var block = text.indexOf("\n") !== -1;
    if (block && before && !/\n$/.test(before)) { text = "\n" + text; }
    if (block && after && !/^\n/.test(after)) { text = text + "\n"; }
    textarea.value = before + text + after;
    var caret = before.length + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var insert = event.target.closest("[data-insert]");
    if (insert) {
      var holder = insert.closest("[data-insert-target]");
      var textarea = holder && document.getElementById(holder.getAttribute("data-insert-target"));
      if (textarea) {
        event.preventDefault();
        insertAt(textarea, insert.getAttribute("data-insert"));
        insert.classList.add("inserted");
      }
      return;
    }
    var confirmed = event.target.closest("[data-confirm]");
    if (confirmed && !window.confirm(confirmed.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
