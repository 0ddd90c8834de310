// Urgent alerts on every page of the roles that must act: polls the urgent feed, shows a banner in the page's
// flow (under the top bar, never over it) and sounds a short tone for each new unread urgent notification.
// "我知道了" marks the shown notifications read on the server, so the banner stays dismissed on every page.
// The tone is synthesised with WebAudio: no audio files.
(function () {
  const box = document.getElementById("urgent-alerts");
  if (!box) return;
  const feed = box.dataset.feed;
  const interval = Number(box.dataset.interval) || 5000;
  const list = box.querySelector(".urgent-list");
  const hint = box.querySelector("[data-sound-hint]");
  const SEEN_KEY = "guanjia.urgent.lastAlerted";
  let audio = null;
  let shown = [];
  let dismissing = null;

  // Browsers allow sound only after a user gesture: create the audio context on the first one.
  function unlock() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    if (audio && audio.state === "suspended") audio.resume();
    if (hint) hint.hidden = true;
  }
  ["click", "keydown", "touchstart"].forEach((name) => document.addEventListener(name, unlock, { once: true }));

  function tone() {
    if (!audio) return;
    const start = audio.currentTime;
    [0, 0.35, 0.7].forEach((offset, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = i === 1 ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.28);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.3);
    });
  }

  function render(items) {
    list.replaceChildren();
    items.forEach((n) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.textContent = n.title;
      link.href = n.url || box.dataset.inbox;
      li.appendChild(link);
      if (n.body) {
        const body = document.createElement("div");
        body.textContent = n.body;
        li.appendChild(body);
      }
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  async function poll() {
    if (dismissing) return; // a poll answered before the dismissal was saved would bring the banner back
    try {
      const response = await fetch(feed, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const items = (await response.json()).urgent || [];
      if (dismissing) return;
      shown = items.map((n) => n.id);
      render(items);
      const newest = items.reduce((max, n) => Math.max(max, n.id), 0);
      const last = Number(localStorage.getItem(SEEN_KEY) || 0);
      if (newest > last) {
        localStorage.setItem(SEEN_KEY, String(newest));
        tone();
      }
    } catch (err) {
      // Offline for a moment: the next poll tries again.
    }
  }

  box.querySelector("[data-ack]").addEventListener("click", async () => {
    const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
    const body = new URLSearchParams();
    shown.forEach((id) => body.append("ids", String(id)));
    render([]);
    dismissing = fetch(box.dataset.dismiss, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).catch(() => null);
    await dismissing;
    dismissing = null;
  });

  poll();
  setInterval(poll, interval);
})();
