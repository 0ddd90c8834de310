// The counter's ledger page: scanner fields, unit type-ahead, the hand-over dialog. No framework.
(() => {
  // A barcode scanner types like a keyboard and ends with Enter: in a scan field, Enter moves on to the
  // next field instead of submitting a half-filled form.
  document.addEventListener("keydown", (event) => {
    const field = event.target.closest && event.target.closest("[data-scan]");
    if (!field || event.key !== "Enter") return;
    event.preventDefault();
    const inputs = Array.from(field.form.querySelectorAll("input:not([type=hidden]), select, textarea"));
    const next = inputs[inputs.indexOf(field) + 1];
    if (next) next.focus();
  });

  // Unit type-ahead: fill the shared <datalist> from the server as the clerk types "3-2-12".
  let timer = null;
  document.addEventListener("input", (event) => {
    const field = event.target.closest && event.target.closest("[data-unit-lookup]");
    if (!field) return;
    clearTimeout(timer);
    const q = field.value.trim();
    if (!q) return;
    timer = setTimeout(async () => {
      const response = await fetch(`${field.dataset.unitLookup}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      const list = document.getElementById("fd-units");
      list.replaceChildren(
        ...data.units.map((u) => {
          const option = document.createElement("option");
          option.value = u.value;
          option.label = u.label;
          return option;
        }),
      );
    }, 150);
  });

  // The hand-over dialog: one per page, pointed at the item whose button was pressed.
  const dialog = document.getElementById("hand-over-dialog");
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-hand-over]");
    if (button && dialog) {
      const form = dialog.querySelector("form");
      form.action = button.dataset.handOver;
      form.reset();
      const isKey = button.dataset.kind === "key";
      const preferred = isKey ? "work_card" : button.dataset.kind === "lost_found" ? "owner_known" : "pickup_code";
      const radio = form.querySelector(`input[name=proof_kind][value=${preferred}]`);
      if (radio) radio.checked = true;
      dialog.classList.toggle("is-key", isKey);
      dialog.querySelector("[data-dialog-label]").textContent = button.dataset.label;
      dialog.showModal();
      form.querySelector("#fd-proof").focus();
      return;
    }
    if (event.target.closest("[data-close-dialog]") && dialog) dialog.close();
  });
})();
