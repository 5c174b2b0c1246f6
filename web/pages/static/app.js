// Live parts of the pages, without a build step: polled fragments and the exam countdown.
"use strict";

// An element with data-poll-url has its content replaced by that URL's HTML every
// data-poll-ms; with data-reload-when-final, the page reloads once the fragment says it is final.
function startPolling(element) {
  const url = element.dataset.pollUrl;
  const every = Number(element.dataset.pollMs || 2000);
  async function poll() {
    try {
      const response = await fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
      if (response.redirected || !response.ok) return;  // logged out or gone: stop quietly
      const html = await response.text();
      if (html !== element.dataset.lastHtml) {
        element.innerHTML = html;
        element.dataset.lastHtml = html;
      }
      if (element.dataset.reloadWhenFinal && element.querySelector("[data-final]")) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // a network blip: try again at the next tick
    }
    window.setTimeout(poll, every);
  }
  poll();
}

// "45 s", "2 min", "1 h 5 min": the same words as the server's (web/pages/attempt_words.py).
function spokenDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return m ? h + " h " + m + " min" : h + " h";
  if (m) return s ? m + " min " + s + " s" : m + " min";
  return s + " s";
}

// At zero the room says that time is up and how much grace is left for submitting (the server
// judges a submit against deadline + grace); once the grace is over too, that the saved work is
// being handed in automatically. The server wrote the same words into the page when it made it.
function showTimeUp(root, deadline, now, grace) {
  const box = root && root.querySelector("#time-up");
  if (!box) return 0;
  const graceLeft = Math.max(0, deadline + grace - now);
  box.hidden = deadline > now;
  box.querySelector("#grace-open").hidden = graceLeft === 0;
  box.querySelector("#grace-over").hidden = graceLeft > 0;
  box.querySelector("#grace-left").textContent = spokenDuration(Math.floor(graceLeft / 1000));
  box.querySelector("#grace-ends").textContent = new Date(deadline + grace).toISOString().slice(11, 19) + " UTC";
  return graceLeft;
}

// A countdown to data-deadline, judged by the server's clock: data-server-now is the
// server's time when the page was made, so a wrong clock on the learner's device does not matter.
// Every data-clock-ms it asks data-clock-url for the deadline as it stands (staff may extend it)
// and the server's time again; once the attempt is no longer running, the room is reloaded.
function startCountdown(element) {
  let deadline = Date.parse(element.dataset.deadline);
  let skew = Date.parse(element.dataset.serverNow) - Date.now();
  const grace = Number(element.dataset.graceSeconds || 0) * 1000;
  const root = element.closest("[data-countdown-root]");
  let timer = null;
  function tick() {
    window.clearTimeout(timer);
    const now = Date.now() + skew;
    const left = Math.max(0, deadline - now);
    const seconds = Math.floor(left / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    element.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    element.classList.toggle("urgent", seconds < 300);
    root?.classList.toggle("expired", left === 0);
    const graceLeft = showTimeUp(root, deadline, now, grace);
    const next = left > 0 ? left : graceLeft;
    if (next > 0) timer = window.setTimeout(tick, (next % 1000) || 1000);
  }
  async function check() {
    try {
      const response = await fetch(element.dataset.clockUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
      if (response.redirected || response.status === 404) return;  // logged out or gone: tick on as it was
      if (response.ok) {  // otherwise (a 503 while the database is away) ask again at the next check
        const clock = await response.json();
        if (clock.state !== "started") {
          window.location.reload();
          return;
        }
        skew = Date.parse(clock.now) - Date.now();
        deadline = Date.parse(clock.deadline);
        tick();
      }
    } catch (error) {
      // a network blip: ask again at the next check
    }
    window.setTimeout(check, Number(element.dataset.clockMs || 10000));
  }
  tick();
  if (element.dataset.clockUrl) window.setTimeout(check, Number(element.dataset.clockMs || 10000));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll-url]").forEach(startPolling);
  document.querySelectorAll("[data-deadline]").forEach(startCountdown);
});
