// Receiving against a purchase order by scanning. A scanner types the code and presses Enter.
// Each scan is posted in order (a queue: fast scans are never lost or reordered), the scan box
// is cleared and keeps the focus at once, and the order's lines below are replaced by the
// server's answer (received, to come, over). Without this script the form still works, one page
// load per scan. Enter in the location box moves to the scan box.
(function () {
  var form = document.querySelector("[data-po-receive]");
  if (!form || !window.fetch) { return; }
  var code = form.querySelector("#id_code");
  var location = form.querySelector("#id_location");
  var lines = document.getElementById("po-receive-lines");
  var queue = Promise.resolve();

  location.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); code.focus(); }
  });

  function send(body) {
    queue = queue.then(function () {
      return fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken")}
      }).then(function (response) { return response.text(); })
        .then(function (html) { lines.innerHTML = html; code.focus(); })
        .catch(function () {
          lines.insertAdjacentHTML("afterbegin",
            '<p class="scan-result bad" role="alert">The scan could not be sent (network). Scan it again.</p>');
        });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name === "undo") { body.set("undo", "1"); }
    else if (!code.value.trim()) { code.focus(); return; }
    code.value = "";
    code.focus();
    send(body);
  });
})();
