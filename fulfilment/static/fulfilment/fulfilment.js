// Countdowns to dispatch deadlines ([data-deadline] holds an ISO time), refreshed every
// 30 seconds; and the "select all" boxes of order lists ([data-select-all] names the boxes).
(function () {
  function text(ms) {
    var late = ms < 0;
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = days ? [days + " d", hours + " h"] : hours ? [hours + " h", (mins < 10 ? "0" : "") + mins + " min"] : [mins + " min"];
    return late ? "overdue by " + parts.join(" ") : "in " + parts.join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - now;
      if (isNaN(ms)) { return; }
      el.textContent = text(ms);
      el.classList.toggle("late", ms < 0);
      el.classList.toggle("close", ms >= 0 && ms < 4 * 3600 * 1000);
    });
  }
  tick();
  setInterval(tick, 30000);
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[type=checkbox][name=" + box.getAttribute("data-select-all") + "]")
        .forEach(function (other) { other.checked = box.checked; });
    });
  });
})();
