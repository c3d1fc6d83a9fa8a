/* After-sales decisions due: keep each "time left" cell counting down (every 30 s) from its
   data-deadline (ISO 8601), as the server wrote it. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  function text(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var hours = Math.floor(minutes / 60);
    var rest = String(minutes % 60).padStart(2, "0");
    var span = hours + " h " + rest + " min";
    return ms < 0 ? span + " past the deadline" : span + " left";
  }
  function tick() {
    var cells = document.querySelectorAll("#after-sales-due-rows [data-deadline]");
    for (var i = 0; i < cells.length; i++) {
      var due = Date.parse(cells[i].getAttribute("data-deadline"));
      if (!isNaN(due)) {
        var left = due - Date.now();
        cells[i].textContent = text(left);
        if (left < 0) { cells[i].classList.add("bad-text"); }
      }
    }
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
