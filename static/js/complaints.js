// Complaint pages: live countdowns on the board, the register form's pickers and apology phrase, and the
// signature canvas. No framework; htmx does the server round-trips.
(function () {
  "use strict";

  // --- Countdowns (board): every [data-due] shows the time left, or how long it is overdue -------------
  const labels = document.querySelector(".countdown-labels");
  const L = labels ? labels.dataset : { overdue: "已超时", left: "剩余", day: "天", hour: "小时", minute: "分钟", second: "秒" };
  const URGENT = 5 * 60;
  const SOON = 30 * 60;

  function span(seconds) {
    const s = Math.abs(Math.floor(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (d) return d + L.day + " " + h + L.hour;
    if (h) return h + L.hour + " " + m + L.minute;
    if (m >= 10) return m + L.minute;
    if (m) return m + L.minute + " " + sec + L.second;
    return sec + L.second;
  }

  function urgency(left) {
    if (left <= 0) return "overdue";
    if (left < URGENT) return "urgent";
    if (left < SOON) return "soon";
    return "normal";
  }

  // Countdowns run on the server's clock, not this device's: a desk PC whose clock is off would otherwise show
  // every limit early or late. Each render of the board list says when the server made it (data-refreshed).
  // An unchanged poll is answered 304 and the browser hands back the list it already had, with its old
  // data-refreshed: only a new render sets the clock again.
  let skew = 0;
  let synced = "";
  function syncClock() {
    const list = document.querySelector("[data-refreshed]");
    const stamp = list ? list.dataset.refreshed : "";
    const server = Date.parse(stamp);
    if (stamp === synced || Number.isNaN(server)) return;
    synced = stamp;
    skew = server - Date.now();
  }

  function tick() {
    const now = Date.now() + skew;
    document.querySelectorAll("[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) return;
      const left = (due - now) / 1000;
      const level = urgency(left);
      const value = el.querySelector(".countdown-value");
      if (value) value.textContent = left <= 0 ? L.overdue + " " + span(-left) : L.left + " " + span(left);
      el.classList.remove("urgency-overdue", "urgency-urgent", "urgency-soon", "urgency-normal");
      el.classList.add("urgency-" + level);
      const row = el.closest(".board-row");
      if (row) {
        row.classList.remove("urgency-row-overdue", "urgency-row-urgent", "urgency-row-soon", "urgency-row-normal");
        row.classList.add("urgency-row-" + level);
      }
    });
  }
  if (document.querySelector("[data-due]") || labels) {
    syncClock();
    tick();
    setInterval(tick, 1000);
    document.addEventListener("htmx:afterSwap", () => {
      syncClock();
      tick();
    });
  }

  // --- Register form ----------------------------------------------------------------------------------
  const form = document.getElementById("register-form");
  if (form) {
    const customer = form.querySelector("[name=customer]");
    const unit = form.querySelector("[name=unit]");
    const incident = form.querySelector("[name=incident]");
    const picked = document.getElementById("picked-customer");
    const lookup = document.getElementById("customer-lookup");
    const pickedIncident = document.getElementById("picked-incident");

    form.addEventListener("click", (event) => {
      const pick = event.target.closest("[data-pick-customer]");
      if (pick) {
        customer.value = pick.dataset.pickCustomer;
        unit.value = pick.dataset.unit || "";
        const text = picked.querySelector(".picked-text");
        text.replaceChildren();
        const strong = document.createElement("strong");
        strong.textContent = pick.dataset.name;
        text.appendChild(strong);
        const rest = [pick.dataset.unitLabel, pick.dataset.phone].filter(Boolean).join(" · ");
        if (rest) text.append(" · " + rest);
        picked.classList.remove("is-empty");
        lookup.hidden = true;
        const next = form.querySelector("[name=channel]:checked") || form.querySelector("[name=channel]");
        if (next) next.focus();
        return;
      }
      if (event.target.closest("[data-clear-customer]")) {
        customer.value = "";
        unit.value = "";
        picked.classList.add("is-empty");
        lookup.hidden = false;
        const q = document.getElementById("lookup-q");
        if (q) q.focus();
        return;
      }
      const link = event.target.closest("[data-link-incident]");
      if (link) {
        incident.value = link.dataset.linkIncident;
        pickedIncident.querySelector(".picked-text").textContent = link.dataset.title;
        pickedIncident.classList.remove("is-empty");
        form.querySelectorAll("[data-link-incident]").forEach((b) => b.classList.toggle("is-linked", b === link));
        return;
      }
      if (event.target.closest("[data-clear-incident]")) {
        incident.value = "";
        pickedIncident.classList.add("is-empty");
        form.querySelectorAll("[data-link-incident]").forEach((b) => b.classList.remove("is-linked"));
      }
    });

    // 书面 shows the 收文登记 fields.
    function channelChanged() {
      const checked = form.querySelector("[name=channel]:checked");
      const value = checked ? checked.value : "";
      form.querySelectorAll("[data-show-for-channel]").forEach((el) => {
        el.hidden = el.dataset.showForChannel !== value;
      });
    }
    form.addEventListener("change", (event) => {
      if (event.target.name === "channel") channelChanged();
      if (event.target.name === "against_department") apologyChanged();
    });
    channelChanged();

    // The apology phrase names the department complained about (C02).
    const apology = document.getElementById("apology-text");
    const departments = {};
    if (apology) {
      apology.dataset.departments.split("|").forEach((pair) => {
        const [k, v] = pair.split("=");
        departments[k] = v;
      });
    }
    function apologyText() {
      const dept = form.querySelector("[name=against_department]");
      const value = dept ? dept.value : "";
      const name = value && value !== "other" ? departments[value] : apology.dataset.fallback;
      return apology.dataset.template.replace("{department}", name);
    }
    function apologyChanged() {
      if (apology) apology.textContent = apologyText();
    }
    apologyChanged();
    const copied = form.querySelector("[data-copied]");
    form.querySelector("[data-copy-apology]")?.addEventListener("click", async () => {
      const text = apologyText();
      try {
        await navigator.clipboard.writeText(text);
      } catch (err) {
        const range = document.createRange();
        range.selectNodeContents(apology);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        document.execCommand("copy");
      }
      if (copied) {
        copied.hidden = false;
        setTimeout(() => (copied.hidden = true), 1500);
      }
    });
    form.querySelector("[data-insert-apology]")?.addEventListener("click", () => {
      const note = form.querySelector("[name=note]");
      const text = apologyText();
      if (!note.value.includes(text)) note.value = (note.value ? note.value.trim() + "\n" : "") + text;
      note.focus();
    });
  }

  // --- Signature pad (C20) ---------------------------------------------------------------------------
  const canvas = document.getElementById("signature-pad");
  if (canvas && window.SignaturePad) {
    const signForm = document.getElementById("sign-form");
    const image = signForm.querySelector("[name=image]");
    const empty = signForm.querySelector("[data-pad-empty]");
    const pad = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: "#111827", backgroundColor: "rgba(255,255,255,0)" });
    function resize() {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();
    pad.addEventListener("beginStroke", () => {
      canvas.parentElement.classList.add("signed");
      if (empty) empty.hidden = true;
    });
    signForm.querySelector("[data-pad-clear]").addEventListener("click", () => {
      pad.clear();
      canvas.parentElement.classList.remove("signed");
      image.value = "";
    });
    signForm.addEventListener("submit", (event) => {
      if (pad.isEmpty()) {
        event.preventDefault();
        if (empty) empty.hidden = false;
        return;
      }
      image.value = pad.toDataURL("image/png");
    });
  }
})();
