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
})();
