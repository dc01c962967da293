// The stall screen: each payment shown and spoken the moment it arrives.
// The stream (printables/stream.py) sends Server-Sent Events; the browser
// reconnects with Last-Event-ID and the server catches the screen up.
(function () {
  "use strict";
  var root = document.getElementById("stall");
  if (!root) return;
  var T = JSON.parse(document.getElementById("stall-text").textContent);
  var statusEl = document.getElementById("stall-status");
  var listEl = document.getElementById("stall-list");
  var emptyEl = document.getElementById("stall-empty");
  var flashEl = document.getElementById("stall-flash");
  var soundButton = document.getElementById("stall-sound");
  var soundState = document.getElementById("stall-sound-state");
  var SOUND_KEY = "cho40.stall.sound";
  var shown = {};          // transaction id → its row
  var seenEvents = {};     // event ids already applied
  var lastHeard = 0;
  var lastId = "";
  var state = "connecting";
  var source = null;
  var soundOn = false;
  var audio = null;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // --- connection state -------------------------------------------------
  function setState(next) {
    state = next;
    statusEl.dataset.state = next;
    render();
  }

  function render() {
    var text = T[state] || "";
    if (state === "live" || state === "reconnecting") {
      var ago = lastHeard ? Math.max(0, Math.round((Date.now() - lastHeard) / 1000)) : null;
      if (ago !== null) text += " · " + fmt(T.heard, { s: ago });
    }
    if (!navigator.onLine && state !== "revoked") text = T.offline;
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }
  setInterval(render, 1000);
  window.addEventListener("online", render);
  window.addEventListener("offline", render);

  function heard(event) {
    lastHeard = Date.now();
    if (event.lastEventId) lastId = event.lastEventId;
    if (state !== "live") setState("live"); else render();
  }

  function connect() {
    var url = root.dataset.stream;
    if (lastId) url += (url.indexOf("?") < 0 ? "?" : "&") + "last=" + encodeURIComponent(lastId);
    source = new EventSource(url);
    source.addEventListener("hello", function (event) {
      heard(event);
      var data = JSON.parse(event.data);
      if (data.fresh) {
        data.payments.forEach(function (p) { upsert(p, false); });
      } else {
        data.payments.forEach(function (p) { upsert(p, true); });
      }
      totals(data.today);
    });
    source.addEventListener("payment", function (event) {
      heard(event);
      var data = JSON.parse(event.data);
      if (seenEvents[data.event]) return;
      seenEvents[data.event] = true;
      upsert(data, true);
      if (data.today) totals(data.today);
    });
    source.addEventListener("beat", heard);
    source.addEventListener("revoked", function () {
      source.close();
      setState("revoked");
      // A revoked link shows nothing of the vendor's any more but its name
      // and why: no takings, no payments, no codes.
      var main = root.parentNode;
      Array.prototype.forEach.call(main.children, function (el) { if (el !== root) el.hidden = true; });
      Array.prototype.forEach.call(root.children, function (el) {
        if (el !== statusEl && el.tagName !== "H1") el.hidden = true;
      });
      listEl.innerHTML = "";
      shown = {};
    });
    source.onerror = function () {
      if (state === "revoked") return;
      setState("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up; open the stream again from where it was.
        setTimeout(connect, 3000);
      }
    };
  }

  // --- the list ---------------------------------------------------------
  function totals(today) {
    if (!today) return;
    document.getElementById("stall-today-net").textContent = today.net_text;
    document.getElementById("stall-today-count").textContent = fmt(T.count, { n: today.count });
  }

  function line(text) {
    var span = document.createElement("span");
    span.className = "line";
    span.textContent = text;
    return span;
  }

  function rowFor(p) {
    var li = document.createElement("li");
    li.dataset.id = p.id;
    li.dataset.at = p.at;
    li.className = p.kind === "refund" ? "refund" : (p.status === "reversed" ? "reversed" : "payment");
    var amount = document.createElement("span");
    amount.className = "amount";
    amount.textContent = (p.kind === "refund" ? "− " : "") + p.amount_text;
    li.appendChild(amount);
    var what = p.time + " · " + p.wallet;
    if (p.kind === "refund") what += " · " + T.refund;
    if (p.status === "reversed") what += " · " + T.reversed;
    li.appendChild(line(what));
    if (p.payer) li.appendChild(line(p.payer));
    li.appendChild(line(T.ref + " …" + p.ref));
    return li;
  }

  function upsert(p, announceIt) {
    var existing = shown[p.id];
    if (p.status === "failed") {
      // A failed transaction is never money: it leaves the list.
      if (existing) { existing.remove(); delete shown[p.id]; }
      emptyEl.hidden = listEl.children.length > 0;
      return;
    }
    var li = rowFor(p);
    if (existing) {
      var changed = existing.className !== li.className;
      listEl.replaceChild(li, existing);
      shown[p.id] = li;
      if (changed && announceIt) announce(p);
      return;
    }
    var before = null;
    for (var i = 0; i < listEl.children.length; i++) {
      var other = listEl.children[i];
      if (other.dataset.at < p.at || (other.dataset.at === p.at && Number(other.dataset.id) < p.id)) {
        before = other;
        break;
      }
    }
    listEl.insertBefore(li, before);
    shown[p.id] = li;
    while (listEl.children.length > 100) {
      var last = listEl.lastElementChild;
      delete shown[last.dataset.id];
      last.remove();
    }
    emptyEl.hidden = true;
    if (announceIt) {
      li.classList.add("new");
      setTimeout(function () { li.classList.remove("new"); }, 8000);
      announce(p);
    }
  }

  // --- sound ------------------------------------------------------------
  function vietnameseVoice() {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf("vi") === 0) return voices[i];
    }
    return null;
  }

  function chime(refund) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = refund ? [660, 440, 330] : [660, 880, 1320];
      notes.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = refund ? "triangle" : "sine";
        gain.gain.value = 0.25;
        osc.connect(gain);
        gain.connect(audio.destination);
        var at = audio.currentTime + i * 0.18;
        osc.start(at);
        osc.stop(at + 0.16);
      });
    } catch (e) { /* no audio on this phone: the flash still shows */ }
  }

  function flash(p) {
    flashEl.textContent = (p.kind === "refund" ? T.refund + " − " : "+ ") + p.amount_text;
    flashEl.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(function () { flashEl.hidden = true; }, 6000);
  }

  function announce(p) {
    flash(p);
    if (!soundOn || !p.speech) return;
    var voice = vietnameseVoice();
    if (voice && "SpeechSynthesisUtterance" in window) {
      var utterance = new SpeechSynthesisUtterance(p.speech);
      utterance.lang = "vi-VN";
      utterance.voice = voice;
      window.speechSynthesis.speak(utterance);
    } else {
      chime(p.kind === "refund" || p.status === "reversed");
    }
  }

  function showSound() {
    soundButton.textContent = soundOn ? T.sound_on : T.sound_off;
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundState.textContent = soundOn ? (vietnameseVoice() ? T.sound_on_state : T.sound_on_chime) : T.sound_off_state;
  }

  soundButton.addEventListener("click", function () {
    soundOn = !soundOn;
    try { localStorage.setItem(SOUND_KEY, soundOn ? "1" : "0"); } catch (e) { /* private mode */ }
    if (soundOn) {
      // The tap is what lets the browser make sound from now on.
      if ("speechSynthesis" in window && "SpeechSynthesisUtterance" in window && vietnameseVoice()) {
        var hello = new SpeechSynthesisUtterance("");
        window.speechSynthesis.speak(hello);
      } else {
        chime(false);
      }
    }
    showSound();
  });
  try { soundOn = localStorage.getItem(SOUND_KEY) === "1"; } catch (e) { soundOn = false; }
  if ("speechSynthesis" in window && window.speechSynthesis.addEventListener) {
    window.speechSynthesis.addEventListener("voiceschanged", showSound);
  }
  showSound();

  // --- keep the screen awake ----------------------------------------------
  var wakeLock = null;
  function stayAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }, function () { wakeLock = null; });
  }
  document.addEventListener("visibilitychange", stayAwake);
  stayAwake();

  // --- Kiểm tra giao dịch -------------------------------------------------
  var form = document.getElementById("stall-check-form");
  var result = document.getElementById("stall-check-result");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var amount = document.getElementById("stall-check-amount").value;
    result.textContent = "";
    fetch(root.dataset.check + "?amount=" + encodeURIComponent(amount), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        result.textContent = "";
        var head = document.createElement("p");
        head.className = data.error ? "error" : (data.found.length ? "check-found" : "check-none");
        head.textContent = data.error || data.message;
        result.appendChild(head);
        if (data.found && data.found.length) {
          var ol = document.createElement("ol");
          ol.className = "stall-list";
          data.found.forEach(function (p) { ol.appendChild(rowFor(p)); });
          result.appendChild(ol);
        }
      }, function () {
        result.textContent = T.offline;
      });
  });

  connect();
})();
