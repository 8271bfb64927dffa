// Polls an upload's status while it is validated or imported, moving the progress bar; reloads when done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector(".progress");
  var fill = bar.querySelector("span");
  var text = box.querySelector("[data-progress-text]");
  var badge = document.getElementById("import-status");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        fill.style.width = data.progress + "%";
        bar.setAttribute("aria-valuenow", data.progress);
        text.textContent = data.progress;
        badge.textContent = data.status_display;
        Object.keys(data.counts).forEach(function (k) {
          var el = document.querySelector('[data-count="' + k + '"]');
          if (el) el.textContent = data.counts[k];
        });
        if (data.running) setTimeout(poll, 500);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
