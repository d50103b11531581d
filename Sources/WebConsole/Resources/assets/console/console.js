// Virtyard console: the little the pages need beyond htmx. No inline script anywhere (the
// Content-Security-Policy forbids it), so everything hooks in from here.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request that changes something carries the session's CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // Live regions: the page lists its topics on <body data-live-topics>, and each region is an
  // element with id "live-<topic>" (":" becomes "-"). The server sends the region's new HTML.
  function liveID(topic) { return "live-" + topic.replace(/:/g, "-"); }

  function startLive() {
    var topics = (document.body.getAttribute("data-live-topics") || "").split(/\s+/).filter(Boolean);
    if (topics.length === 0 || !window.EventSource) return;
    var query = topics.map(function (t) { return "topic=" + encodeURIComponent(t); }).join("&");
    var source = new EventSource("/ui/events?" + query);
    source.addEventListener("open", function () { document.body.setAttribute("data-live-state", "open"); });
    source.addEventListener("error", function () { document.body.setAttribute("data-live-state", "reconnecting"); });
    source.addEventListener("resync", function () { window.location.reload(); });
    topics.forEach(function (topic) {
      source.addEventListener(topic, function (event) {
        var target = document.getElementById(liveID(topic));
        if (!target) return;
        // Keep focus inside a region that is replaced (a screen reader user mid-table).
        var focusedID = document.activeElement && target.contains(document.activeElement) ? document.activeElement.id : null;
        var holder = document.createElement("div");
        holder.innerHTML = event.data;
        var fresh = holder.firstElementChild;
        if (!fresh) return;
        target.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        startCountdowns(fresh);
        if (focusedID) { var again = document.getElementById(focusedID); if (again) again.focus(); }
        document.dispatchEvent(new CustomEvent("virtyard:live", { detail: { topic: topic } }));
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // <time data-countdown datetime="ISO-8601">: the time left, updated each second.
  function format(seconds) {
    if (seconds <= 0) return "expired";
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (h > 0 ? h + ":" + two(m) : m) + ":" + two(s) + " left";
  }

  function startCountdowns(root) {
    (root || document).querySelectorAll("time[data-countdown]").forEach(function (element) {
      var end = Date.parse(element.getAttribute("datetime"));
      if (isNaN(end)) return;
      element.textContent = format(Math.round((end - Date.now()) / 1000));
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) { startCountdowns(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    startLive();
    startCountdowns(document);
    setInterval(function () { startCountdowns(document); }, 1000);
  });
})();
