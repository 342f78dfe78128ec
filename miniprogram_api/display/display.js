/* The projector page: polls the session's state with the display link's token, shows the
 * rotating code (an SVG data URL), counts down to the next code and renews it before the
 * current one expires. Plain ES5-style JS, no dependencies. */
(function () {
  "use strict";

  var root = document.getElementById("display");
  var image = document.getElementById("qr-image");
  var overlay = document.getElementById("qr-overlay");
  var token = new URLSearchParams(window.location.search).get("t") || "";
  var stateUrl = "/display/sessions/" + root.getAttribute("data-session-id") +
    "/state?t=" + encodeURIComponent(token);
  var MAX_POLL_MS = 3000;
  var changesAt = 0;   // local time (ms) when the shown code is replaced
  var validUntil = 0;  // local time (ms) after which the shown code is refused
  var timer = null;
  var failures = 0;
  var stopped = false;

  function setText(id, value) {
    document.getElementById(id).textContent = value;
  }

  function hhmm(iso) {
    return iso ? iso.slice(11, 16) : "";
  }

  function showOverlay(message) {
    overlay.textContent = message;
    overlay.hidden = false;
  }

  function renderSession(session) {
    setText("class-title", session.class_title);
    setText("topic", session.topic + (session.room ? "（" + session.room + "）" : ""));
    setText("times", session.starts_at.slice(0, 10) + " " + hhmm(session.starts_at) +
      " – " + hhmm(session.ends_at));
  }

  // Before check-in opens, or after check-out closed: no code, only what the room needs to
  // know; polling goes on, so the code appears by itself when the window opens.
  function renderWaiting(state) {
    changesAt = 0;
    validUntil = 0;
    image.removeAttribute("src");
    image.setAttribute("data-token", "");
    root.setAttribute("data-token", "");
    root.setAttribute("data-purpose", "");
    root.setAttribute("data-state", state.opens_at ? "waiting" : "closed");
    showOverlay(state.phase_label);
    renderSession(state.session);
    setText("purpose", "");
    setText("phase", state.phase_label);
    setText("countdown", "--");
    setText("checked-in", String(state.counts.checked_in));
    setText("enrolled", String(state.counts.enrolled));
    setText("late", String(state.counts.late));
    setText("checked-out", String(state.counts.checked_out));
    setText("status", "");
  }

  function render(state, receivedAt) {
    var code = state.code;
    var session = state.session;
    if (!code) {
      renderWaiting(state);
      return;
    }
    changesAt = receivedAt + code.refresh_in_ms;
    validUntil = receivedAt + code.valid_for_ms;
    image.src = state.image;
    image.setAttribute("data-token", code.token);
    root.setAttribute("data-token", code.token);
    root.setAttribute("data-purpose", code.purpose);
    root.setAttribute("data-state", "live");
    overlay.hidden = true;
    renderSession(session);
    setText("purpose", code.purpose_label);
    setText("phase", state.phase_label);
    setText("checked-in", String(state.counts.checked_in));
    setText("enrolled", String(state.counts.enrolled));
    setText("late", String(state.counts.late));
    setText("checked-out", String(state.counts.checked_out));
    setText("status", "");
    tick();
  }

  function tick() {
    var now = Date.now();
    if (!changesAt) {
      return;  // no code shown (waiting for the window, or over)
    }
    setText("countdown", String(Math.max(0, Math.ceil((changesAt - now) / 1000))));
    if (validUntil && now > validUntil && !stopped) {
      root.setAttribute("data-state", "stale");
      showOverlay("签到码已失效，正在重新获取…");
    }
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function stop(message) {
    stopped = true;
    window.clearTimeout(timer);
    root.setAttribute("data-state", "stopped");
    image.removeAttribute("src");
    image.setAttribute("data-token", "");
    showOverlay(message);
    setText("status", message);
  }

  function onReply(response, receivedAt) {
    return response.json().then(function (body) {
      if (response.ok) {
        failures = 0;
        render(body, receivedAt);
        // Renew at the step boundary (+150 ms), at the latest every MAX_POLL_MS for the counts:
        // the shown code stays valid for a grace step after it, so a slow reply does no harm.
        var wait = body.code ? body.code.refresh_in_ms : (body.refresh_in_ms || MAX_POLL_MS);
        var next = wait + 150;
        schedule(Math.min(next, MAX_POLL_MS));
        return;
      }
      var message = body && body.error ? body.error.message : "加载失败";
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        stop(message);
      } else {
        retry(message);
      }
    });
  }

  function retry(message) {
    failures += 1;
    setText("status", message + "，正在重试…");
    schedule(Math.min(1000 * failures, 5000));
  }

  function poll() {
    if (stopped) {
      return;
    }
    window.fetch(stateUrl, { cache: "no-store", credentials: "omit" })
      .then(function (response) { return onReply(response, Date.now()); })
      .catch(function () { retry("网络连接中断"); });
  }

  document.getElementById("fullscreen").addEventListener("click", function () {
    var el = document.documentElement;
    if (el.requestFullscreen) {
      el.requestFullscreen().catch(function () {});
    }
  });

  if (!token) {
    stop("投屏链接不完整，请重新生成");
    return;
  }
  window.setInterval(tick, 250);
  poll();
}());
