// The job dashboard's job lists (templates/django_rq/): the "select all" box ticks every job's box,
// what django-rq's inline script did through Django's old jQuery actions plugin.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.getElementById("action-toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("change", function () {
    document.querySelectorAll("tr input.action-select").forEach(function (box) {
      box.checked = toggle.checked;
    });
  });
});
