// Exports page (S03): switch between a month and a date range; say that a spreadsheet is being made. A small
// export answers with the file; a large one comes back as a job row that polls its own progress (htmx).
(function () {
  "use strict";
  function setMode(form) {
    var mode = form.querySelector("[data-period-mode]:checked").value;
    form.querySelectorAll("[data-period]").forEach(function (box) {
      var on = box.getAttribute("data-period") === mode;
      box.hidden = !on;
      box.querySelectorAll("input").forEach(function (input) { input.disabled = !on; input.required = on; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-export-form]");
    if (!form) return;
    var busy = form.querySelector("[data-export-busy]");
    form.querySelectorAll("[data-period-mode]").forEach(function (radio) {
      radio.addEventListener("change", function () { setMode(form); });
    });
    setMode(form);
    form.addEventListener("submit", function () {
      if (!busy) return;
      busy.hidden = false;
      // The download does not leave the page: hide the note once the browser has had time to start it.
      window.setTimeout(function () { busy.hidden = true; }, 8000);
    });
  });
})();
