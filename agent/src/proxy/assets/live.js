// hotpod's live reload, injected by the dev proxy into HTML pages: the page reloads once a new
// version of the app is ready (not when its build starts), and while the last build failed an
// overlay shows the compiler's output over the last good version.
(function () {
  "use strict";
  if (window.__hotpodLive) return;
  window.__hotpodLive = true;
  var overlay = null;

  function showFailure(failure) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "hotpod-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,20,.92);color:#eee;font:14px/1.45 ui-monospace,monospace";
      document.documentElement.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.style.cssText = "color:#ff8a80;font:600 18px system-ui,sans-serif;margin:0 0 1rem";
    title.textContent = "hotpod: " + failure.message;
    var output = document.createElement("pre");
    output.id = "hotpod-overlay-output";
    output.style.cssText = "white-space:pre-wrap;margin:0";
    output.textContent = failure.output;
    overlay.appendChild(title);
    overlay.appendChild(output);
  }

  var events = new EventSource("/__hotpod/events");
  events.addEventListener("reload", function () {
    events.close();
    window.location.reload();
  });
  events.addEventListener("failed", function (event) {
    showFailure(JSON.parse(event.data));
  });
})();
