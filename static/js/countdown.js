// Deadlines counting down, on any page: an element with data-countdown-for (an ISO 8601 time)
// shows the time left ("2 d 3 h 10 min left", "3 h 12 min 5 s left"), ticking every second; once
// the time has passed it shows its data-countdown-overdue text (default "deadline passed"). It gets
// the class "late" once passed and "close" within data-countdown-soon-hours (default 1) of it.
// No inline script: the CSP forbids it.
(function () {
  "use strict";

  function describe(ms) {
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    var parts = [];
    if (d) { parts.push(d + " d"); }
    if (d || h) { parts.push(h + " h"); }
    parts.push(m + " min");
    if (!d) { parts.push((s % 60) + " s"); }
    return parts.join(" ") + " left";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-for]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-countdown-for"));
      if (isNaN(due)) { return; }
      var left = due - now;
      var soon = parseFloat(el.getAttribute("data-countdown-soon-hours") || "1") * 3600 * 1000;
      el.textContent = left > 0 ? describe(left) : (el.getAttribute("data-countdown-overdue") || "deadline passed");
      el.classList.toggle("late", left <= 0);
      el.classList.toggle("close", left > 0 && left < soon);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
