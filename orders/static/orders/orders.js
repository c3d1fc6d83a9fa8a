// Order pages: select-all, selected count, confirmation before cancelling, and keyboard moves in
// the queue (j/k next/previous order, x select it, Enter open it). Works with htmx swaps.
(function () {
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function current() { return document.querySelector("tr[data-row].current"); }
  function updateCount() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var n = form.querySelectorAll('input[name="ids"]:checked').length;
    form.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n; });
  }
  var currentHref = null;  // the current row survives htmx swaps of the results
  function focusRow(row) {
    rows().forEach(function (r) { r.classList.remove("current"); });
    if (!row) return;
    row.classList.add("current");
    var link = row.querySelector("[data-row-link]");
    if (link) { link.focus(); currentHref = link.getAttribute("href"); }
  }
  function restoreCurrent() {
    if (!currentHref) return;
    var link = document.querySelector('[data-row-link][href="' + currentHref + '"]');
    if (link) link.closest("tr").classList.add("current");
  }
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches("[data-select-all]")) {
      document.querySelectorAll('#bulk-form input[name="ids"]').forEach(function (box) { box.checked = t.checked; });
    }
    if (t.matches('input[name="ids"], [data-select-all]')) updateCount();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (form.id === "bulk-form" && submitter && submitter.hasAttribute("data-needs-selection")) {
      if (!form.querySelector('input[name="ids"]:checked')) {
        event.preventDefault();
        alert("Select at least one order first.");
        return;
      }
      if (submitter.value === "cancel" && !confirm("Cancel the selected orders? Their reserved stock is released.")) {
        event.preventDefault();
      }
    }
    if (form.hasAttribute("data-confirm") && !confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "ArrowDown" && document.activeElement.matches("[data-search]") && rows().length) {
      event.preventDefault();  // from the search box straight to the first order
      focusRow(rows()[0]);
      return;
    }
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
    var list = rows();
    if (!list.length) return;
    var row = current();
    var index = row ? list.indexOf(row) : -1;
    if (event.key === "j") { event.preventDefault(); focusRow(list[Math.min(index + 1, list.length - 1)]); }
    else if (event.key === "k") { event.preventDefault(); focusRow(list[Math.max(index - 1, 0)]); }
    else if (event.key === "x" && row) {
      var box = row.querySelector('input[name="ids"]');
      if (box) { event.preventDefault(); box.checked = !box.checked; updateCount(); }
    }
  });
  document.addEventListener("htmx:afterSwap", function () { restoreCurrent(); updateCount(); });
})();
