// Virtyard console: the lab session's terminal. xterm.js (4.2, canvas renderer, screen
// reader mode) on a WebSocket to /ui/labs/sessions/<name>/terminal: binary frames are the
// terminal's bytes both ways, text frames JSON control ({"resize":[cols,rows]} from here,
// {"closed":"why"} from the server when it ends the terminal on purpose). A socket that drops
// without that message is reopened with backoff; the server keeps the shell for 30 s and
// replays its recent output.
(function () {
  "use strict";

  var MAX_ATTEMPTS = 8;

  function start(container) {
    if (!window.Terminal || !window.FitAddon) return;
    var status = document.getElementById("terminal-status");
    var term = new window.Terminal({ screenReaderMode: true, cursorBlink: true, scrollback: 5000, fontSize: 14 });
    var fit = new window.FitAddon.FitAddon();
    term.loadAddon(fit);
    letShrink(container);
    term.open(container);
    accessibilityFixes(container);
    fitNow();
    // Tests (and curious people) read the buffer: virtyardTerminal.buffer.getLine(i).
    window.virtyardTerminal = term;

    var encoder = new TextEncoder();
    var socket = null;
    var attempts = 0;
    var closedForGood = false;

    function setState(state, text) {
      container.setAttribute("data-state", state);
      if (status) status.textContent = text;
    }

    function fitNow() {
      try { fit.fit(); } catch (ignored) { /* not laid out yet */ }
    }

    function open() { return socket && socket.readyState === WebSocket.OPEN; }

    function sendSize() {
      if (open()) socket.send(JSON.stringify({ resize: [term.cols, term.rows] }));
    }

    term.onData(function (data) {
      if (open()) socket.send(encoder.encode(data));
    });
    term.onResize(sendSize);
    window.addEventListener("resize", fitNow);

    // Copy and paste the way terminals do: Ctrl+Shift+C / Ctrl+Shift+V (and Ctrl+C with a
    // selection) are left to the browser, whose copy and paste events xterm.js handles;
    // without a selection, Ctrl+C is the shell's interrupt.
    term.attachCustomKeyEventHandler(function (event) {
      if (event.type !== "keydown" || !event.ctrlKey) return true;
      var key = (event.key || "").toLowerCase();
      if (event.shiftKey && (key === "v" || key === "c")) return false;
      if (!event.shiftKey && key === "c" && term.hasSelection()) return false;
      return true;
    });

    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + container.getAttribute("data-socket"));
      socket.binaryType = "arraybuffer";
      setState("connecting", attempts > 0 ? "Reconnecting…" : "Connecting…");
      socket.addEventListener("open", function () {
        attempts = 0;
        // The server replays the recent output: start from a clean screen.
        term.reset();
        fitNow();
        sendSize();
        setState("open", "Connected.");
      });
      socket.addEventListener("message", function (event) {
        if (typeof event.data === "string") {
          var message = null;
          try { message = JSON.parse(event.data); } catch (ignored) { return; }
          if (message && typeof message.closed === "string") {
            closedForGood = true;
            setState("closed", "Terminal closed: " + message.closed);
          }
          return;
        }
        var bytes = new Uint8Array(event.data);
        if (typeof term.writeUtf8 === "function") term.writeUtf8(bytes); else term.write(bytes);
      });
      socket.addEventListener("close", function () {
        socket = null;
        if (closedForGood) {
          term.setOption("disableStdin", true);
          return;
        }
        attempts += 1;
        if (attempts > MAX_ATTEMPTS) {
          setState("failed", "Disconnected. Reload the page to try again.");
          return;
        }
        var delay = Math.min(30000, 500 * Math.pow(2, attempts - 1));
        setState("reconnecting", "Connection lost; reconnecting in " + Math.ceil(delay / 1000) + " s…");
        window.setTimeout(connect, delay);
      });
    }

    // Leaving the page is not a dropped connection to recover from.
    window.addEventListener("pagehide", function () {
      closedForGood = true;
      if (socket) socket.close();
    });
    connect();
  }

  // The terminal's canvas is as wide as its columns; without this, the grid column holding it
  // could never get narrower than the last fit (a phone turned, a window made smaller), so
  // the next fit would measure the old width. (CSSOM styles are allowed by the CSP.)
  function letShrink(container) {
    container.style.overflow = "hidden";
    for (var element = container; element && element !== document.body; element = element.parentElement) {
      element.style.minWidth = "0";
      if (element.matches(".split > *")) break;
    }
  }

  // xterm.js 4.2's accessibility tree holds role="listitem" rows without a list (axe:
  // critical), and its input textarea has no name.
  function accessibilityFixes(container) {
    container.querySelectorAll(".xterm-accessibility-tree").forEach(function (tree) {
      tree.setAttribute("role", "list");
      tree.setAttribute("aria-label", "Terminal output");
    });
    container.querySelectorAll("textarea").forEach(function (input) {
      input.setAttribute("aria-label", "Terminal input");
    });
  }

  function init() {
    var container = document.getElementById("terminal");
    if (container && !container.hasAttribute("data-started")) {
      container.setAttribute("data-started", "");
      start(container);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
