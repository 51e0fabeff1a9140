// Render LaTeX in titles and abstracts with KaTeX, on load and after every htmx swap.
(function () {
  "use strict";
  var options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
    errorColor: "inherit",
  };
  function renderMath(root) {
    if (!window.renderMathInElement) return;
    var nodes = root.classList && root.classList.contains("math") ? [root] : [];
    root.querySelectorAll(".math").forEach(function (el) { nodes.push(el); });
    nodes.forEach(function (el) { window.renderMathInElement(el, options); });
  }
  document.addEventListener("DOMContentLoaded", function () { renderMath(document.body); });
  document.addEventListener("htmx:afterSwap", function (event) { renderMath(event.target); });
})();
