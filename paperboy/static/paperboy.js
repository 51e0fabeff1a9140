// Render LaTeX in titles and abstracts with KaTeX, on load and after every htmx swap; then hide
// "Show more" under abstracts that fit in their three lines anyway.
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
  function markShortAbstracts(root) {
    root.querySelectorAll(".abstract-box").forEach(function (box) {
      var abstract = box.querySelector(".abstract");
      var open = box.querySelector(".more-toggle");
      if (abstract && !(open && open.checked)) {
        box.classList.toggle("fits", abstract.scrollHeight <= abstract.clientHeight + 1);
      }
    });
  }
  function render(root) {
    renderMath(root);
    markShortAbstracts(root);
  }
  document.addEventListener("DOMContentLoaded", function () {
    render(document.body);
    // Web fonts (KaTeX's too) can change line heights once they arrive: measure again.
    if (document.fonts) document.fonts.ready.then(function () { markShortAbstracts(document.body); });
  });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.target); });
})();

// The header's account menu (<details>): an outside click or Escape closes it.
(function () {
  "use strict";
  function closeMenus(except) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.account-menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
})();

// The date chip of the list pages: a click opens the browser's own date picker; the chosen
// day opens its day's list (on a week or month page, the week or month holding that day).
(function () {
  "use strict";
  function isoWeek(value) {
    var day = new Date(value + "T00:00:00Z");
    var thursday = new Date(day);
    thursday.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7) + 3);
    var year = thursday.getUTCFullYear();
    var firstThursday = new Date(Date.UTC(year, 0, 4));
    firstThursday.setUTCDate(4 - ((firstThursday.getUTCDay() + 6) % 7) + 3);
    var week = 1 + Math.round((thursday - firstThursday) / (7 * 86400000));
    return year + "-W" + (week < 10 ? "0" : "") + week;
  }
  function pageFor(kind, value) {
    if (kind === "week") return "/papers/week/" + isoWeek(value);
    if (kind === "month") return "/papers/month/" + value.slice(0, 7);
    return "/papers/date/" + value;
  }
  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest(".chip-date") : null;
    var input = chip && chip.querySelector(".date-pick");
    if (!input || typeof input.showPicker !== "function") return;
    event.preventDefault();
    try { input.showPicker(); } catch (error) { input.focus(); }
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("date-pick") || !input.value) return;
    window.location.assign(pageFor(input.dataset.kind, input.value));
  });
})();
