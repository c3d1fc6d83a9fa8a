// Return pages: the focus goes where the next scan or entry goes ([data-scan-focus]). The
// deadlines count down through the shared static/js/countdown.js. No inline script (strict CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var focus = document.querySelector("[data-scan-focus]");
    if (focus) { focus.focus(); if (focus.select) { focus.select(); } }
  });
})();
