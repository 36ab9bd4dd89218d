// Progressive enhancement: shortly before the session's idle limit, offer
// to stay logged in, so a person typing a long text is not logged out. Without
// script the page says when the session ends, and a form sent after that is
// kept until they log in again (auth::kept_forms).
(function () {
  "use strict";
  var note = document.getElementById("session-end");
  if (!note) { return; }
  // Counted from the server's "seconds left", not the device's clock, which
  // may be wrong; the end time shown is the server's.
  var left = Number(note.dataset.secondsLeft) * 1000;
  var endsAt = Date.now() + left;
  // Two minutes ahead, or sooner for a short idle limit.
  var WARN_BEFORE = Math.min(2 * 60 * 1000, left * 0.75);
  var endsAtShown = Date.parse(note.dataset.endsAt);
  var banner = null;
  var timer = null;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(warn, Math.max(0, endsAt - WARN_BEFORE - Date.now()));
  }

  function warn() {
    if (Date.now() >= endsAt) { return ended(); }
    banner = banner || build();
    banner.hidden = false;
    banner.querySelector("button").focus();
    timer = setTimeout(ended, Math.max(0, endsAt - Date.now()));
  }

  function ended() {
    banner = banner || build();
    banner.hidden = false;
    banner.querySelector("p").textContent = note.dataset.ended;
    banner.querySelector("button").hidden = true;
  }

  function build() {
    var box = document.createElement("div");
    box.className = "notice warning session-warning";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = note.dataset.warning;
    var stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = note.dataset.stay;
    stay.addEventListener("click", keepAlive);
    box.appendChild(text);
    box.appendChild(stay);
    document.body.insertBefore(box, document.body.firstChild);
    return box;
  }

  // The note names the new end time, in the reader's zone as the server does.
  function showEnd() {
    var time;
    try {
      time = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: note.dataset.tz || undefined
      }).format(new Date(endsAtShown));
    } catch (e) { return; }
    note.textContent = note.textContent.replace(note.dataset.time, time);
    note.dataset.time = time;
  }

  function keepAlive() {
    fetch("/session/keep-alive", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": note.dataset.csrf }
    }).then(function (response) {
      if (!response.ok) { throw new Error("session ended"); }
      return response.json();
    }).then(function (session) {
      endsAt = Date.now() + session.seconds_left * 1000;
      endsAtShown = Date.parse(session.ends_at);
      banner.hidden = true;
      showEnd();
      schedule();
    }).catch(ended);
  }

  schedule();
})();
