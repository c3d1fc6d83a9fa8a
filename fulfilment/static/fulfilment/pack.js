// The packing station with a USB scanner acting as a keyboard: the scanner types the code and
// presses Enter. Each scan is posted in order (a queue: fast scans are never lost or reordered),
// the field is cleared and keeps focus, and the panel is replaced by the server's answer. A
// refused scan (wrong item, one too many, unknown) flashes red and beeps low twice; a good one
// beeps high. The sounds are made with WebAudio (no file to download). Without this script the
// form still works, one page load per scan. The Pack buttons and the "n of m" hint follow each
// scan; when every item is verified focus goes to the weight, where Enter packs (and, at a station
// with a label printer, ships). Keys: Esc the scan field, Alt+V the "verify by hand" reason.
(function () {
  var form = document.querySelector("[data-pack-scan]");
  if (!form || !window.fetch) { return; }
  var code = form.querySelector("input[name=code]");
  var panel = document.getElementById("pack-panel");
  var packButtons = Array.prototype.slice.call(document.querySelectorAll("[data-pack-button]"));
  var packButton = packButtons[0];
  var hint = document.querySelector("[data-pack-hint]");
  var reason = document.getElementById("id_reason");
  var weight = document.getElementById("id_weight");
  var partial = document.getElementById("id_partial");
  var state = {complete: packButton ? !packButton.disabled : false,
               verified: parseInt((packButton && packButton.getAttribute("data-verified")) || "0", 10),
               toPack: parseInt((hint && hint.getAttribute("data-to-pack")) || "0", 10)};
  var queue = Promise.resolve();
  var audio = null;
  window.sellerhubBeeps = window.sellerhubBeeps || [];

  function tone(context, frequency, start, length) {
    var osc = context.createOscillator();
    var gain = context.createGain();
    osc.type = "square";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain).connect(context.destination);
    osc.start(start);
    osc.stop(start + length + 0.02);
  }

  function beep(kind) {
    window.sellerhubBeeps.push(kind);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
      var now = audio.currentTime;
      if (kind === "ok") { tone(audio, 1200, now, 0.08); }
      else if (kind === "done") { tone(audio, 900, now, 0.1); tone(audio, 1400, now + 0.13, 0.14); }
      else { tone(audio, 220, now, 0.18); tone(audio, 180, now + 0.25, 0.25); }
    } catch (e) { /* no sound available: the red alert still shows */ }
  }

  // Pack is enabled once every item is verified, or with "only the verified items" ticked
  // once at least one is.
  function refreshPackButton() {
    var enabled = state.complete || (partial && partial.checked && state.verified > 0);
    packButtons.forEach(function (button) {
      button.disabled = !enabled;
      button.setAttribute("aria-disabled", enabled ? "false" : "true");
    });
    if (hint) {
      hint.textContent = state.complete ? "Every item is verified: enter the weight and press Enter." :
        enabled ? state.verified + " of " + state.toPack + " verified: Enter packs these in this box." :
        "Enabled when every item is verified (" + state.verified + " of " + state.toPack + ").";
    }
  }
  if (partial) { partial.addEventListener("change", refreshPackButton); }
  refreshPackButton();
  if (state.complete && weight) { weight.focus(); weight.select(); }  // e.g. after verifying by hand

  function send(body) {
    queue = queue.then(function () {
      return fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken")}
      }).then(function (response) {
        var redirect = response.headers.get("X-Redirect");
        if (redirect) { window.location.assign(redirect); return; }
        var outcome = response.headers.get("X-Scan-Outcome") || "unknown";
        var box = response.headers.get("X-Select-Box");
        var boxSelect = document.getElementById("id_box");
        if (box && boxSelect) { boxSelect.value = box; }
        var complete = response.headers.get("X-Pack-Complete") === "1";
        state.complete = complete;
        state.verified = parseInt(response.headers.get("X-Pack-Verified") || "0", 10);
        state.toPack = parseInt(response.headers.get("X-Pack-To-Pack") || String(state.toPack), 10);
        return response.text().then(function (html) {
          panel.innerHTML = html;
          refreshPackButton();
          if (outcome === "box") {
            beep("ok");
          } else if (outcome === "ok") {
            beep(complete ? "done" : "ok");
            if (complete && weight) { weight.focus(); weight.select(); }
          } else {
            beep("error");
            document.body.classList.remove("flash-bad");
            void document.body.offsetWidth;
            document.body.classList.add("flash-bad");
          }
        });
      }).catch(function () {
        panel.insertAdjacentHTML("afterbegin",
          '<p class="scan-alert bad" role="alert">The scan could not be sent (network). Scan it again.</p>');
        beep("error");
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!code.value.trim()) { code.focus(); return; }
    var body = new FormData(form);
    code.value = "";
    code.focus();
    send(body);
  });
  // Escape from anywhere brings the scan field back (e.g. after looking at the weight field).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { code.focus(); }
    if (event.altKey && (event.key === "v" || event.key === "V") && reason) { event.preventDefault(); reason.focus(); }
  });
})();
