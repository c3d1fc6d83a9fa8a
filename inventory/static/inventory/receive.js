// Receiving by scanning, free (/inventory/receive/) or against a purchase order. A scanner types
// the code and presses Enter. Each scan is posted in order (a queue, so fast scans are never
// lost or reordered), the scan box is cleared and keeps focus at once, and the panel the form
// names in data-receive (the tally, or the order's lines) is replaced by the server's answer.
// Enter in the location box moves to the scan box. Without this script the form still works,
// one page load per scan.
(function () {
  var form = document.querySelector("[data-receive]");
  if (!form || !window.fetch) { return; }
  var code = form.querySelector("#id_code");
  var location = form.querySelector("#id_location");
  var panel = document.getElementById(form.getAttribute("data-receive"));
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
        .then(function (html) {
          panel.innerHTML = html;
          if (document.activeElement === document.body) { code.focus(); }
        })
        .catch(function () {
          panel.insertAdjacentHTML("afterbegin",
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
