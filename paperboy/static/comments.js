// Let htmx swap in the discussion when the server refuses a comment (4xx): the fragment
// carries the reason and the draft, so nothing typed is lost.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if (status >= 400 && status < 500 && target && target.id === "comments-body") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // "Ask the authors: @alice": a click puts the mention into the comment box.
  document.addEventListener("click", function (event) {
    var hint = event.target.closest && event.target.closest(".mention-hint[data-mention]");
    var box = hint && document.getElementById("comment-new");
    if (!box) return;
    var before = box.value.slice(0, box.selectionStart);
    var after = box.value.slice(box.selectionEnd);
    var text = (before && !/\s$/.test(before) ? " " : "") + hint.dataset.mention + " ";
    box.value = before + text + after;
    box.focus();
    box.selectionStart = box.selectionEnd = before.length + text.length;
  });
})();
