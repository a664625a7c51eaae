// Service worker registration (a file, not inline: the server's CSP allows no inline script).
// A new version waits until the officer presses "Tải lại" in the app's update banner, which
// calls sotayApplyUpdate; drafts are already saved by autosave.
if ("serviceWorker" in navigator) {
  var announce = function (worker) {
    window.sotayWaitingWorker = worker;
    window.sotayUpdateWaiting = true;
    window.dispatchEvent(new Event("sotay-update"));
  };
  var updating = false;
  window.sotayApplyUpdate = function () {
    if (window.sotayWaitingWorker) {
      updating = true;
      window.sotayWaitingWorker.postMessage({ type: "SKIP_WAITING" });
    }
  };
  // Reload only for an update the officer asked for; the first install's clients.claim()
  // also changes the controller and must not reload a page being typed in.
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (updating) { updating = false; location.reload(); }
  });
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("sw.js").then(function (reg) {
      if (reg.waiting && navigator.serviceWorker.controller) announce(reg.waiting);
      reg.addEventListener("updatefound", function () {
        var w = reg.installing;
        if (!w) return;
        w.addEventListener("statechange", function () {
          if (w.state === "installed" && navigator.serviceWorker.controller) announce(w);
        });
      });
    }).catch(function (e) { console.warn("service worker", e); });
  });
}
