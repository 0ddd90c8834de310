// The visit form: show the fields that fit the method and the phone outcome, and the customer's signature pad
// (signature_pad) for an on-site visit, whose PNG data URL fills a hidden input on submit.
(function () {
  "use strict";
  const form = document.querySelector("[data-visit-form]");
  if (!form) return;
  const phoneOnly = form.querySelector("[data-phone-only]");
  const reached = form.querySelector("[data-reached]");
  const onsiteOnly = form.querySelector("[data-onsite-only]");
  const retry = form.querySelector("[data-retry]");
  const outcome = form.querySelector("[name=outcome]");
  const box = form.querySelector("[data-sigpad]");
  let pad = null;

  function method() {
    const picked = form.querySelector("[name=method]:checked");
    return picked ? picked.value : "";
  }

  function fit() {
    if (!pad) return;
    const canvas = box.querySelector("canvas");
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }

  function sync() {
    const m = method();
    const isPhone = m === "phone";
    const notReached = isPhone && outcome.value !== "reached";
    phoneOnly.hidden = !isPhone;
    retry.hidden = !notReached;
    reached.hidden = notReached;
    onsiteOnly.hidden = m !== "on_site";
    if (!onsiteOnly.hidden) fit();
  }

  if (box && typeof SignaturePad !== "undefined") {
    pad = new SignaturePad(box.querySelector("canvas"), { penColor: "#111", minWidth: 1, maxWidth: 3 });
    window.addEventListener("resize", fit);
    box.querySelector("[data-sig-clear]").addEventListener("click", function () {
      pad.clear();
      box.querySelector("[data-sig-input]").value = "";
    });
  }

  form.addEventListener("change", sync);
  form.addEventListener("submit", function (event) {
    if (method() !== "on_site" || !pad) return;
    if (pad.isEmpty()) {
      event.preventDefault();
      box.classList.add("sig-missing");
      return;
    }
    box.querySelector("[data-sig-input]").value = pad.toDataURL("image/png");
  });
  sync();
})();
