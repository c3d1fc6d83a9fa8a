// Small helpers shared by every page. Keyboard first: "/" focuses the page's search box.
document.addEventListener("keydown", function (event) {
  if (event.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    var search = document.querySelector("[data-search]");
    if (search) { event.preventDefault(); search.focus(); }
  }
});
