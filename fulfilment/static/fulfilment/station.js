// The station pages. Pack start: a label just bought at a browser-printing station opens in a new
// tab ([data-open-print]) for the browser's print dialog; the order field keeps focus.
// Dispatch desk ([data-dispatch-form]): each scanned tracking number is posted, its answer
// (shipped, already shipped, unknown) added on top of the list, and focus stays in the field.
(function () {
  var open = document.querySelector("[data-open-print]");
  if (open) {
    var tab = window.open(open.href, "_blank", "noopener");
    if (tab === null) { open.focus(); }  // a blocked pop-up: Enter or Alt+P opens it
  }
  var desk = document.querySelector("[data-dispatch-form]");
  if (!desk || !window.fetch) { return; }
  var field = desk.querySelector("input[name=code]");
  var log = document.getElementById("dispatch-log");
  var queue = Promise.resolve();
  desk.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!field.value.trim()) { field.focus(); return; }
    var body = new FormData(desk);
    field.value = "";
    field.focus();
    queue = queue.then(function () {
      return fetch(desk.action, {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken")}})
        .then(function (response) { return response.text(); })
        .then(function (html) { log.insertAdjacentHTML("afterbegin", html); })
        .catch(function () {
          log.insertAdjacentHTML("afterbegin", '<li class="bad" role="alert">Not sent (network): scan it again.</li>');
        });
    });
  });
})();
