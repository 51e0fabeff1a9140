// The paper page's Cite box (templates/library/cite.html): switch between BibTeX, RIS and
// CSL-JSON, and copy the shown citation in one click. No inline script: the CSP forbids it.
(function () {
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-http sites (a LAN install) have no Clipboard API: select and copy instead.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-cite-tab]");
    if (tab) {
      var box = tab.closest("[data-cite]");
      box.querySelectorAll("[data-cite-tab]").forEach(function (other) {
        var chosen = other === tab;
        other.setAttribute("aria-selected", chosen ? "true" : "false");
        other.classList.toggle("ghost", !chosen);
        document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
      });
      return;
    }
    var button = event.target.closest("[data-cite-copy]");
    if (!button) return;
    var panel = button.closest(".cite-format");
    var status = panel.querySelector("[data-cite-status]");
    copy(panel.querySelector("[data-cite-text]").textContent).then(
      function () { status.textContent = "Copied."; },
      function () { status.textContent = "Select the text and copy it."; }
    );
  });
})();
