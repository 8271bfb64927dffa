// A WebM from MediaRecorder has no duration in its header: Chromium reports Infinity until it has read
// to the end, so the player shows no length and cannot be scrubbed. Seeking far past the end once makes
// it find the real end; then playback returns to the start. Applies to every <video data-settle-duration>
// and to whatever source such a video is given later (the recording page reuses one player per take).
(function () {
  "use strict";

  function settle(video) {
    if (video.imSettles) { return; }
    video.imSettles = true;
    function onMetadata() {
      if (video.duration !== Infinity) { return; }
      var restore = function () {
        if (video.duration === Infinity) { return; }
        video.removeEventListener("durationchange", restore);
        video.currentTime = 0;
      };
      video.addEventListener("durationchange", restore);
      video.currentTime = 1e101;
    }
    video.addEventListener("loadedmetadata", onMetadata);
    if (video.readyState >= 1) { onMetadata(); }
  }

  window.imSettleDuration = settle;
  document.querySelectorAll("video[data-settle-duration]").forEach(settle);
})();
