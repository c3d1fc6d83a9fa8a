// Stock count by scanning (templates/inventory/count.html). The first scan names the bin, each
// later scan counts one unit (or the number typed before "*"). Enter in the scan field only ever
// adds a scan; an empty scan sends nothing. F2 records, F4 undoes the last scan, F8 discards.
// Scans are posted in order (a queue, so fast scans are never lost or reordered), the count
// below is replaced by the server's answer and focus stays in the scan field. Without this script
// the form still works, one page load per scan.
(function () {
  var form = document.querySelector("[data-count]");
  if (!form || !window.fetch) { return; }
  var code = form.querySelector("#id_code");
  var quantity = form.querySelector("#id_quantity");
  var session = form.querySelector("input[name=session]");
  var box = document.getElementById("count-session");
  var url = form.getAttribute("action");  // not form.action: the buttons are named "action"
  var queue = Promise.resolve();
  var keys = {};
  Array.prototype.forEach.call(form.querySelectorAll("button[data-key]"), function (button) {
    keys[button.getAttribute("data-key")] = button;
  });

  function focusScan() { code.focus(); }

  function show(html) {
    box.innerHTML = html;
    var current = box.querySelector("[data-session]");
    if (current && current.getAttribute("data-session") !== session.value) {
      session.value = current.getAttribute("data-session");
      if (window.history && history.replaceState) {
        history.replaceState(null, "", url + "?session=" + encodeURIComponent(session.value));
      }
    }
  }

  function send(body) {
    queue = queue.then(function () {
      return fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken")}
      }).then(function (response) { return response.text(); })
        .then(show)
        .catch(function () {
          box.insertAdjacentHTML("afterbegin",
            '<p class="scan-result bad" role="alert">The scan could not be sent (network). Scan it again.</p>');
        })
        .then(focusScan);
    });
  }

  function act(action, button) {
    if (button && button.hasAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) {
      focusScan();
      return;
    }
    var body = new FormData(form);
    body.set("action", action);
    if (action === "scan") {
      if (!code.value.trim()) { focusScan(); return; }  // Enter on an empty scan field: nothing is sent
      code.value = "";
      quantity.value = "1";  // the quantity key counts for one scan
    } else {
      body.delete("code");
    }
    focusScan();
    send(body);
  }

  // The quantity key: "12" then "*" sets 12 for the next scan.
  code.addEventListener("keydown", function (event) {
    if (event.key === "*" && /^\d{1,6}$/.test(code.value.trim())) {
      event.preventDefault();
      quantity.value = String(parseInt(code.value.trim(), 10));
      code.value = "";
    }
  });

  document.addEventListener("keydown", function (event) {
    var button = keys[event.key];
    if (button && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      act(button.value, button);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter && event.submitter.name === "action" ? event.submitter : null;
    act(button ? button.value : "scan", button);
  });
})();
