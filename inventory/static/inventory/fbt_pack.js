// Packing a carton by scanning: the first scan empties the quantities (the form starts with
// everything left to pack), then each scan of a SKU's barcode (or its seller SKU, then Enter)
// adds one unit of it to this carton. An unknown code, or one unit too many, is announced and
// counts nothing. Without this script the form works by typing the quantities.
(function () {
  var form = document.querySelector("[data-pack-carton]");
  if (!form) { return; }
  var scan = form.querySelector("[data-scan]");
  var status = form.querySelector("[data-scan-status]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-sku]"));
  var started = false;
  if (!scan) { return; }
  form.querySelector("[data-scan-row]").hidden = false;

  function say(text, ok) {
    status.textContent = text;
    status.className = "scan-result " + (ok ? "ok" : "bad");
  }

  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    var code = scan.value.trim();
    scan.value = "";
    if (!code) { return; }
    var upper = code.toUpperCase();
    var input = inputs.find(function (el) {
      return (el.dataset.barcode && el.dataset.barcode === code) || el.dataset.sku.toUpperCase() === upper;
    });
    if (!input) { say("Not on this shipment: " + code, false); return; }
    if (!started) {
      inputs.forEach(function (el) { el.value = "0"; });
      started = true;
    }
    var max = parseInt(input.getAttribute("max") || "0", 10);
    var value = parseInt(input.value || "0", 10);
    if (value >= max) { say("All " + max + " of " + input.dataset.sku + " are packed already", false); return; }
    input.value = String(value + 1);
    say(input.dataset.sku + ": " + input.value + " in this carton", true);
  });
})();
