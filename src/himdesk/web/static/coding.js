// The abstract screen, live: re-check the codes as the coder types (the server answers with
// the edits and MS-DRG panel; nothing is saved), keep a blank row at the end of each list,
// and search the encoder to add a diagnosis code. Without this script the form still works:
// Save recomputes everything.
(function () {
  "use strict";
  var form = document.getElementById("abstract-form");
  var review = document.getElementById("coding-review");
  if (!form || !review || !form.getAttribute("data-preview")) { return; }
  var locked = form.querySelector("button[type=submit]") === null;
  var MAX_ROWS = 25;
  var pending = null;
  var sent = 0;

  // A redirect means the session ended or the chart needs a reason first: show that page
  // whole instead of pasting it into a panel.
  function fragmentOf(response) {
    if (response.redirected) {
      window.location.assign(response.url);
      throw new Error("redirected");
    }
    return response.text();
  }

  function normalized(text) { return text.trim().toUpperCase().replace(/\./g, ""); }

  function preview() {
    var ticket = ++sent;
    review.classList.add("updating");
    fetch(form.getAttribute("data-preview"), {
      method: "POST", body: new FormData(form), credentials: "same-origin"
    }).then(fragmentOf).then(function (html) {
      if (ticket !== sent) { return; }  // an older answer arriving after a newer one
      review.innerHTML = html;
      review.classList.remove("updating");
      showTitles();
    }).catch(function () {
      review.classList.remove("updating");
    });
  }

  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(preview, 450);
  }

  function showTitles() {
    var titles = {};
    review.querySelectorAll(".code-titles li[data-code]").forEach(function (item) {
      titles[item.getAttribute("data-code")] = item.textContent;
    });
    form.querySelectorAll("tr.dx-row, tr.px-row").forEach(function (row) {
      var input = row.querySelector("input.code-input");
      var cell = row.querySelector(".code-title");
      if (!input || !cell) { return; }
      var code = normalized(input.value);
      cell.setAttribute("data-title-for", code);
      cell.textContent = "";
      if (code && titles[code]) {
        var link = document.createElement("a");
        link.href = "/coding/codes/" + encodeURIComponent(input.value.trim());
        link.textContent = titles[code];
        cell.appendChild(link);
      }
    });
  }

  function renumber(row, n) {
    row.querySelector("th[scope=row]").textContent = String(n);
    row.querySelectorAll("input, select, label").forEach(function (el) {
      ["id", "for"].forEach(function (name) {
        var value = el.getAttribute(name);
        if (value) { el.setAttribute(name, value.replace(/-\d+(-|$)/, "-" + n + "$1")); }
      });
      if (el.tagName === "LABEL") { el.textContent = el.textContent.replace(/\d+/, String(n)); }
      if (el.tagName === "INPUT") { el.value = ""; el.removeAttribute("aria-invalid"); }
      if (el.tagName === "SELECT") { el.selectedIndex = 0; el.removeAttribute("aria-invalid"); }
    });
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelector(".code-title").textContent = "";
    row.classList.remove("invalid");
  }

  function keepBlankRow(tbody) {
    var rows = tbody.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    var code = last.querySelector("input.code-input");
    if (code.value.trim() === "" || rows.length >= MAX_ROWS) { return; }
    var copy = last.cloneNode(true);
    renumber(copy, rows.length + 1);
    tbody.appendChild(copy);
  }

  function addDiagnosis(code) {
    var tbody = document.querySelector("#diagnosis-rows tbody");
    var inputs = Array.prototype.slice.call(tbody.querySelectorAll("input.code-input"));
    var empty = inputs.filter(function (input) { return input.value.trim() === ""; })[0];
    if (!empty) { return; }
    empty.value = code;
    keepBlankRow(tbody);
    empty.focus();
    schedule();
  }

  function codeOf(element) {
    var code = element.getAttribute("data-code");
    if (code) { return code; }
    var href = element.getAttribute("href") || "";
    return decodeURIComponent(href.replace(/^\/coding\/codes\//, "").split("?")[0]);
  }

  function offerCodes(results) {
    var hits = results.querySelectorAll("[data-code]");
    if (hits.length === 0) { hits = results.querySelectorAll("a[href^='/coding/codes/']"); }
    hits.forEach(function (hit) {
      var code = codeOf(hit);
      if (!code) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "add-code";
      button.textContent = "Add " + code;
      button.addEventListener("click", function () { addDiagnosis(code); });
      hit.insertAdjacentElement("afterend", button);
    });
  }

  function startSearch() {
    var panel = document.querySelector(".code-search");
    var box = document.getElementById("code-search");
    var results = document.getElementById("code-search-results");
    if (!panel || !box || !results) { return; }
    panel.hidden = false;
    var hint = document.querySelector(".no-js-hint");
    if (hint) { hint.hidden = true; }
    var waiting = null;
    var asked = 0;
    box.addEventListener("input", function () {
      clearTimeout(waiting);
      waiting = setTimeout(function () {
        var text = box.value.trim();
        var ticket = ++asked;
        if (text.length < 2) { results.innerHTML = ""; return; }
        fetch("/coding/encoder/results?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(fragmentOf)
          .then(function (html) {
            if (ticket !== asked) { return; }
            results.innerHTML = html;
            offerCodes(results);
          })
          .catch(function () { /* the typed code can still be entered by hand */ });
      }, 250);
    });
  }

  if (locked) { return; }
  form.addEventListener("input", function (event) {
    var row = event.target.closest("tbody");
    if (row && event.target.classList.contains("code-input")) { keepBlankRow(row); }
    schedule();
  });
  form.addEventListener("change", schedule);
  startSearch();
})();
