// Buyer cancellation requests: each pending request's deadline counts down every second
// ("3 h 12 min 5 s left", then "overdue: TikTok approves it on its own").
(function () {
  "use strict";

  function describe(ms) {
    if (ms <= 0) {
      return "overdue: the channel approves it on its own";
    }
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
      el.textContent = describe(left);
      el.classList.toggle("bad", left <= 0);
      el.classList.toggle("warn", left > 0 && left < 3600 * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
