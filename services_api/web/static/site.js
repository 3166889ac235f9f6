// The search page's small comforts: the quick exit (button and Shift three times), "use my location"
// (asked once, for one search, rounded to about 100 m, never stored) and "copy as text".
// It also keeps the directory to one entry in the browser's history: a search, a page of results, a
// listing or a report replace the page in place, so the quick exit leaves nothing to go back to.
// Every search works without this file.
(function () {
  "use strict";
  var exit = document.querySelector("[data-exit]");

  function showInPlace(html) {
    document.open();
    document.write(html);
    document.close();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || !window.fetch) return;
    event.preventDefault();
    var data = new FormData(form, event.submitter || undefined);
    fetch(form.action, { method: "POST", body: new URLSearchParams(data), cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(showInPlace, function () { form.submit(); });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='/']");
    if (!link || link === exit || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (link.getAttribute("href").charAt(1) === "#" || link.hash && link.pathname === location.pathname) return;
    event.preventDefault();
    window.location.replace(link.href);
  });

  function leave(event) {
    if (event) event.preventDefault();
    document.body.hidden = true;
    document.title = "";
    // replace(): the directory's page leaves no entry in the history to come back to.
    window.location.replace(exit.href);
  }

  if (exit) {
    exit.addEventListener("click", leave);
    var hint = document.getElementById("exit-hint");
    if (hint) hint.hidden = false;
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { presses = []; return; }
      var now = Date.now();
      presses = presses.filter(function (at) { return now - at < 1500; });
      presses.push(now);
      if (presses.length >= 3) leave();
    });
  }

  var locate = document.getElementById("use-location");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    var status = document.getElementById("location-status");
    locate.addEventListener("click", function () {
      status.textContent = locate.getAttribute("data-asking");
      navigator.geolocation.getCurrentPosition(function (position) {
        var form = document.getElementById("search");
        form.elements.near.value = "";
        form.elements.lat.value = position.coords.latitude.toFixed(3);
        form.elements.lng.value = position.coords.longitude.toFixed(3);
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }, function () {
        status.textContent = locate.getAttribute("data-failed");
      }, { maximumAge: 0, timeout: 15000 });
    });
  }

  var near = document.getElementById("field-near");
  if (near) {
    // A typed place replaces the device's location.
    near.addEventListener("input", function () {
      document.getElementById("field-lat").value = "";
      document.getElementById("field-lng").value = "";
      var note = document.getElementById("device-note");
      if (note) note.hidden = true;
    });
  }

  var copy = document.getElementById("copy-text");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = document.getElementById("referral-text").value;
      navigator.clipboard.writeText(text).then(function () {
        document.getElementById("copy-status").textContent = copy.getAttribute("data-copied");
      });
    });
  }

  var problems = document.getElementById("problems");
  var results = document.getElementById("results");
  if (problems) problems.focus();
  else if (results) {
    results.focus({ preventScroll: true });
    results.scrollIntoView({ block: "start" });
  }
})();
