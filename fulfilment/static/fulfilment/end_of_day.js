// End of day: "Print the form" prints the PDF from a hidden frame (the browser's print dialog);
// with a modifier key, or if the frame cannot print, the PDF opens in a new tab as the link says.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-print-form]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.title = "Form to print";
    frame.src = link.href;
    frame.addEventListener("load", function () {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.open(link.href, "_blank", "noopener");
      }
      link.focus();
    });
    document.body.appendChild(frame);
  });
})();
