// Return pages: countdowns to the seller's deadline ([data-respond-by] holds an ISO time), and the
// focus where the next scan or entry goes ([data-scan-focus]). No inline script (strict CSP).
(function () {
  "use strict";
  function left(ms) {
    if (ms <= 0) { return "deadline passed"; }
    var minutes = Math.floor(ms / 60000), hours = Math.floor(minutes / 60), days = Math.floor(hours / 24);
    if (days >= 1) { return days + " d " + (hours % 24) + " h left"; }
    if (hours >= 1) { return hours + " h " + (minutes % 60) + " min left"; }
    return minutes + " min left";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-respond-by]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-respond-by")) - now;
      el.textContent = left(ms);
      el.classList.toggle("late", ms <= 0);
      el.classList.toggle("close", ms > 0 && ms < 6 * 3600000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    var focus = document.querySelector("[data-scan-focus]");
    if (focus) { focus.focus(); if (focus.select) { focus.select(); } }
  });
})();
