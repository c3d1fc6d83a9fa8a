// The package page without a mouse: focus lands on the next step (Mark shipped when the label is
// there, else the first rate's Buy, else Get rates), and each action has its key (accesskey,
// shown on the button).
(function () {
  var next = document.querySelector("[data-ship]") || document.querySelector("table.rates tbody button") ||
    document.querySelector("[data-get-rates]");
  if (next && !next.disabled) { next.focus(); }
})();
