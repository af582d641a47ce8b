// The encoder, live: results while the coder types. The page's GET form works without this
// script; with it, each pause in typing asks the server for the results fragment alone.
(function () {
  "use strict";
  var box = document.getElementById("encoder-q");
  var results = document.getElementById("encoder-results");
  if (!box || !results) { return; }
  var waiting = null;
  var asked = 0;

  function address(text) {
    var base = box.getAttribute("data-results");
    return base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
  }

  function search() {
    var text = box.value.trim();
    var ticket = ++asked;
    if (text.length < 2) { return; }
    fetch(address(text), { credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected) {  // the session ended: show the login page whole
          window.location.assign(response.url);
          throw new Error("redirected");
        }
        return response.text();
      })
      .then(function (html) {
        if (ticket !== asked) { return; }  // an older answer arriving after a newer one
        results.innerHTML = html;
        var url = new URL(window.location.href);
        url.searchParams.set("q", text);
        window.history.replaceState(null, "", url);
      })
      .catch(function () { /* the form still submits */ });
  }

  box.addEventListener("input", function () {
    clearTimeout(waiting);
    waiting = setTimeout(search, 200);
  });
})();
