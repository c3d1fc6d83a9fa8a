// Small helpers shared by every page. Keyboard first: "/" focuses the page's search box.
document.addEventListener("keydown", function (event) {
  if (event.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    var search = document.querySelector("[data-search]");
    if (search) { event.preventDefault(); search.focus(); }
  }
});
// No inline handlers (Content-Security-Policy): <select data-autosubmit> submits its form when
// changed; <form data-confirm="question"> asks before it is sent.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-autosubmit]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
