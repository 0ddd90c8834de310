// Repair pages: the log form's customer pick, and signature canvases (signature_pad) that fill a hidden
// input with a PNG data URL when their form is sent. No framework; htmx does the live search.
(function () {
  "use strict";

  // --- Log form: picking a customer fills the customer id and the unit choices -------------------------
  const form = document.getElementById("repair-log");
  if (form) {
    const customer = form.querySelector("#log-customer");
    const unit = form.querySelector("#log-unit");
    const picked = form.querySelector("#log-picked");
    const pick = form.querySelector("#log-pick");
    const search = form.querySelector("#log-q");
    pick.addEventListener("click", function (event) {
      const button = event.target.closest(".pick-customer");
      if (!button) return;
      customer.value = button.dataset.customer;
      const units = JSON.parse(button.dataset.units || "[]");
      unit.innerHTML = "";
      units.forEach(function (u) {
        const option = document.createElement("option");
        option.value = u.id;
        option.textContent = u.label;
        unit.appendChild(option);
      });
      picked.textContent = button.dataset.name + (units.length ? " · " + units[0].label : "");
      picked.hidden = false;
      pick.innerHTML = "";
      search.value = button.dataset.name;
      form.querySelector("#log-description").focus();
    });
    search.addEventListener("input", function () {
      customer.value = "";
      picked.hidden = true;
    });
  }

  // --- Signature pads -----------------------------------------------------------------------------------
  function setUp(box) {
    const canvas = box.querySelector("canvas");
    const input = box.querySelector("[data-sig-input]");
    if (!canvas || typeof SignaturePad === "undefined") return;
    const pad = new SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 3 });
    function fit() {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    fit();
    window.addEventListener("resize", fit);
    box.querySelector("[data-sig-clear]").addEventListener("click", function () {
      pad.clear();
      input.value = "";
    });
    const owner = box.closest("form");
    owner.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        box.classList.add("sig-missing");
        canvas.focus();
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }
  document.querySelectorAll("[data-sigpad]").forEach(setUp);
})();
