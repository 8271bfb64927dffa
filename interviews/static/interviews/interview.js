/* The applicant's recorded interview: device check, recording with MediaRecorder, chunked upload.
 * Plain JavaScript, no framework. Strings come from Django's JavaScriptCatalog (gettext). */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (text, values) { return interpolate(text, values, true); };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(el, visible) { if (el) { el.hidden = !visible; } }

  function showError(message) {
    var el = $("iv-error");
    el.textContent = message;
    show(el, !!message);
  }

  function status(message) { $("iv-status").textContent = message || ""; }

  /* --- Devices ------------------------------------------------------------------------------- */

  function unsupportedReason() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return gettext("This browser cannot use the camera. Please open the link in a current version of Chrome, Safari, Edge or Firefox.");
    }
    if (typeof window.MediaRecorder === "undefined") {
      return gettext("This browser cannot record video. Please open the link in a current version of Chrome, Safari, Edge or Firefox.");
    }
    return "";
  }

  function deviceErrorMessage(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return gettext("You did not allow the camera and microphone. Allow them for this site in your browser's settings, then press “Try again”.");
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
      return gettext("No camera or microphone was found. Connect one, or open the link on a smartphone, then press “Try again”.");
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return gettext("The camera is being used by another application. Close it, then press “Try again”.");
    }
    return gettext("The camera could not be started. Press “Try again”, or open the link in another browser.");
  }

  function openCamera() {
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
  }

  function levelMeter(stream, bar) {
    var AudioCtx = window.AudioContext || window.webkitAudioContext;
    if (!AudioCtx || !bar) { return; }
    var context = new AudioCtx();
    var analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(stream).connect(analyser);
    var data = new Uint8Array(analyser.fftSize);
    (function tick() {
      analyser.getByteTimeDomainData(data);
      var sum = 0;
      for (var i = 0; i < data.length; i++) { var v = (data[i] - 128) / 128; sum += v * v; }
      var rms = Math.sqrt(sum / data.length);
      var level = String(Math.min(100, Math.round(rms * 300)));
      bar.style.width = level + "%";
      bar.parentNode.dataset.level = rms > 0.01 ? "on" : "off";
      // The meter's value for assistive technology, written only when it changes.
      if (bar.parentNode.getAttribute("aria-valuenow") !== level) { bar.parentNode.setAttribute("aria-valuenow", level); }
      window.requestAnimationFrame(tick);
    })();
    // Browsers start audio contexts suspended until a gesture; try now and on the first tap.
    context.resume && context.resume();
    document.addEventListener("click", function () { context.resume && context.resume(); }, { once: true });
  }

  // H.264 in MP4 first (Safari; Chrome and Edge since 126): every reviewer's browser plays it, the server
  // only remuxes it, and even the take as recorded knows its length and seeks. Not H.264 in WebM: Chromium
  // cannot seek that before it has played. Firefox and older Chromes record VP8/VP9 WebM, remuxed too
  // (docs/recording.md, "Playback formats").
  function bestMimeType() {
    var types = [
      "video/mp4;codecs=avc1.42E01E,mp4a.40.2", "video/mp4;codecs=avc1.42E01E,opus",
      "video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4",
    ];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  /* --- Upload -------------------------------------------------------------------------------- */

  var sleep = function (ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); };

  // Network failures, 429 and 5xx are retried with growing pauses for as long as the page is open;
  // 4xx answers are final and their message is shown.
  async function withRetry(label, attempt) {
    var pause = 500;
    for (var tries = 1; ; tries++) {
      var response;
      try {
        response = await attempt();
      } catch (networkError) {
        response = null;
      }
      if (response && response.ok) { return response; }
      if (response && response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
        var detail = "";
        try { detail = (await response.json()).detail; } catch (e) { detail = ""; }
        var error = new Error(detail || gettext("The upload was refused."));
        error.final = true;
        error.status = response.status;
        throw error;
      }
      status(fmt(gettext("Connection problem while uploading (%(label)s). Retrying in %(seconds)s s…"), { label: label, seconds: Math.round(pause / 1000) }));
      await sleep(pause);
      pause = Math.min(pause * 2, 15000);
    }
  }

  function api(url, method, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function uploadLocal(take, blob, progress) {
    var size = take.chunk_bytes;
    var count = Math.ceil(blob.size / size);
    // What already arrived (nothing, for a take just started: no request for it); a failed chunk is
    // sent again by withRetry, and the server keeps one copy of a chunk sent twice.
    var received = new Set(take.received || []);
    for (var i = 0; i < count; i++) {
      if (!received.has(i)) {
        var piece = blob.slice(i * size, Math.min(blob.size, (i + 1) * size));
        await withRetry(fmt(gettext("part %(n)s of %(total)s"), { n: i + 1, total: count }), function () {
          return fetch(take.statusUrl + "chunks/" + i, {
            method: "PUT", credentials: "same-origin",
            headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": csrfToken() },
            body: piece,
          });
        });
      }
      progress((i + 1) / count);
    }
    return { size: blob.size };
  }

  async function uploadS3(take, blob, progress) {
    var size = take.chunk_bytes;
    var count = Math.max(1, Math.ceil(blob.size / size));
    var numbers = [];
    for (var n = 1; n <= count; n++) { numbers.push(n); }
    var urls = (await (await withRetry(gettext("preparing"), function () {
      return api(take.statusUrl + "parts/", "POST", { parts: numbers });
    })).json()).urls;
    var parts = [];
    for (var i = 0; i < count; i++) {
      var piece = blob.slice(i * size, Math.min(blob.size, (i + 1) * size));
      var url = urls[String(i + 1)];
      var response = await withRetry(fmt(gettext("part %(n)s of %(total)s"), { n: i + 1, total: count }), function () {
        return fetch(url, { method: "PUT", body: piece });
      });
      // The bucket's CORS rule must expose ETag (docs/recording.md).
      parts.push({ number: i + 1, etag: response.headers.get("ETag") });
      progress((i + 1) / count);
    }
    return { size: blob.size, parts: parts };
  }

  /* --- Pages --------------------------------------------------------------------------------- */

  function checkPage(root) {
    var next = $("iv-next");
    var retry = $("iv-retry");
    next.addEventListener("click", function (event) {
      if (next.getAttribute("aria-disabled") === "true") { event.preventDefault(); }
    });
    async function start() {
      showError(""); show(retry, false);
      var reason = unsupportedReason();
      if (reason) { showError(reason); status(""); return; }
      try {
        var stream = await openCamera();
        var preview = $("iv-preview");
        preview.srcObject = stream;
        // Ready only once the camera really delivers frames.
        if (preview.readyState < 1) {
          await new Promise(function (resolve) { preview.addEventListener("loadedmetadata", resolve, { once: true }); });
        }
        levelMeter(stream, $("iv-level"));
        status(gettext("Camera and microphone are working. Speak to see the level move."));
        next.setAttribute("aria-disabled", "false");
        next.classList.add("ready");
      } catch (error) {
        showError(deviceErrorMessage(error)); status(""); show(retry, true);
      }
    }
    retry.addEventListener("click", start);
    start();
  }

  function recordPage(root) {
    var config = JSON.parse($("iv-config").textContent);
    var preview = $("iv-preview"), playback = $("iv-playback");
    var overlay = $("iv-overlay"), phase = $("iv-phase"), clock = $("iv-clock");
    var begin = $("iv-begin"), recordNow = $("iv-record-now"), stop = $("iv-stop");
    var retake = $("iv-retake"), keep = $("iv-keep");
    var bar = $("iv-upload-bar");
    var stream = null, recorder = null, timer = null, currentTake = null, takesUsed = config.takesUsed;
    // Recording or uploading: leaving now would lose the take, so the browser asks first.
    var busy = false;
    window.addEventListener("beforeunload", function (event) {
      if (busy) { event.preventDefault(); event.returnValue = ""; }
    });

    function setButtons(visible) {
      [begin, recordNow, stop, retake, keep].forEach(function (b) { show(b, visible.indexOf(b) >= 0); });
    }

    function countdown(seconds, label, done) {
      clearInterval(timer);
      var end = Date.now() + seconds * 1000;
      show(overlay, true);
      phase.textContent = label;
      function tick() {
        var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
        clock.textContent = fmt(gettext("%(s)s s"), { s: left });
        if (left <= 0) { clearInterval(timer); done(); }
      }
      tick();
      timer = setInterval(tick, 200);
    }

    function review(url, canKeep) {
      show(preview, false);
      show(overlay, false);
      playback.src = url;
      show(playback, true);
      var left = config.maxTakes - takesUsed;
      retake.textContent = fmt(gettext("Record again (%(n)s left)"), { n: left });
      setButtons(left > 0 ? [retake, keep] : [keep]);
      keep.disabled = !canKeep;
      if (left <= 0) { status(gettext("This was your last take for this question. Keep it to continue.")); }
    }

    function prepare() {
      showError("");
      show(playback, false); playback.removeAttribute("src");
      show(preview, true);
      setButtons([recordNow]);
      status(gettext("Preparing: read the question. Recording starts when the time is up, or press “Start recording now”."));
      countdown(config.prep, gettext("Preparation"), startRecording);
    }

    function startRecording() {
      clearInterval(timer);
      var chunks = [];
      var mimeType = bestMimeType();
      try {
        recorder = new MediaRecorder(stream, mimeType ? { mimeType: mimeType, videoBitsPerSecond: 1000000 } : undefined);
      } catch (error) {
        showError(gettext("This browser cannot record video. Please open the link in a current version of Chrome, Safari, Edge or Firefox."));
        return;
      }
      var started = performance.now();
      recorder.ondataavailable = function (event) { if (event.data && event.data.size) { chunks.push(event.data); } };
      recorder.onstop = function () {
        clearInterval(timer);
        var type = (recorder.mimeType || mimeType || "video/webm");
        var blob = new Blob(chunks, { type: type.split(";")[0] });
        // Chromium names an H.264 WebM recording "video/x-matroska": the EBML bytes the server takes as WebM.
        finished(blob, type.replace(/^video\/x-matroska/i, "video/webm"), (performance.now() - started) / 1000);
      };
      recorder.start(1000);
      busy = true;
      setButtons([stop]);
      status(gettext("Recording. Press “Stop recording” when you have finished; the time limit stops it by itself."));
      overlay.classList.add("recording");
      // The time limit stops the recording by itself.
      countdown(config.limit, gettext("Recording"), function () { if (recorder.state !== "inactive") { recorder.stop(); } });
    }

    async function finished(blob, type, seconds) {
      overlay.classList.remove("recording");
      takesUsed += 1;
      review(URL.createObjectURL(blob), false);
      status(gettext("Uploading your answer…"));
      show(bar.parentNode, true);
      bar.style.width = "0%";
      try {
        var take = await (await withRetry(gettext("starting"), function () {
          return api(config.urls.takes, "POST", { question: config.question, type: type });
        })).json();
        take.statusUrl = config.urls.takes + take.key + "/";
        currentTake = take;
        var progress = function (ratio) { bar.style.width = Math.round(ratio * 100) + "%"; };
        var result = take.mode === "s3" ? await uploadS3(take, blob, progress) : await uploadLocal(take, blob, progress);
        result.duration = seconds;
        await withRetry(gettext("finishing"), function () { return api(take.statusUrl + "complete/", "POST", result); });
        busy = false;
        status(config.maxTakes - takesUsed > 0
          ? gettext("Uploaded. Watch your answer, then keep it or record again.")
          : gettext("Uploaded. This was your last take for this question: watch it, then keep it to continue."));
        keep.disabled = false;
      } catch (error) {
        busy = false;
        takesUsed -= 1;
        showError(error.message || gettext("The upload failed."));
        status("");
        if (error.status === 409) { window.location.reload(); }
        retake.textContent = gettext("Record again");
        setButtons([retake]);
      }
    }

    begin.addEventListener("click", prepare);
    recordNow.addEventListener("click", startRecording);
    stop.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") { recorder.stop(); } });
    retake.addEventListener("click", prepare);
    keep.addEventListener("click", async function () {
      keep.disabled = true;
      try {
        var response = await withRetry(gettext("saving"), function () { return api(currentTake.statusUrl + "keep/", "POST"); });
        window.location.assign((await response.json()).next);
      } catch (error) {
        showError(error.message);
        if (error.status === 409) { window.location.reload(); }
        keep.disabled = false;
      }
    });

    (async function init() {
      var reason = unsupportedReason();
      if (reason) { showError(reason); setButtons([]); return; }
      try {
        stream = await openCamera();
        preview.srcObject = stream;
      } catch (error) {
        showError(deviceErrorMessage(error));
        setButtons([]);
        return;
      }
      if (config.pending) {
        // Back after closing the page: the last finished take waits for review.
        currentTake = config.pending;
        currentTake.statusUrl = config.urls.takes + currentTake.key + "/";
        review(currentTake.url, true);
        status(config.maxTakes - takesUsed > 0
          ? gettext("Your last recording of this question was saved. Keep it or record again.")
          : gettext("Your last recording of this question was saved. Keep it to continue."));
      } else {
        setButtons([begin]);
        begin.disabled = false;
        status(gettext("Press “Start preparation” when you are ready."));
      }
    })();
  }

  /* --- Practice: recorded and played back here, never uploaded --------------------------------- */

  function practicePage() {
    var config = JSON.parse($("iv-config").textContent);
    var preview = $("iv-preview"), playback = $("iv-playback"), overlay = $("iv-overlay");
    var startButton = $("iv-practice-start"), stopButton = $("iv-practice-stop");
    var stream = null, recorder = null, timer = null, lastUrl = null;

    function countdown(seconds, label, then) {
      clearInterval(timer);
      var end = Date.now() + seconds * 1000;
      show(overlay, true);
      $("iv-phase").textContent = label;
      function tick() {
        var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
        $("iv-clock").textContent = fmt(gettext("%(s)s s"), { s: left });
        if (left <= 0) { clearInterval(timer); then(); }
      }
      tick();
      timer = setInterval(tick, 200);
    }

    function record() {
      show(playback, false);
      show(preview, true);
      startButton.hidden = true;
      stopButton.hidden = false;
      var chunks = [];
      var mimeType = bestMimeType();
      recorder = new MediaRecorder(stream, mimeType ? { mimeType: mimeType } : undefined);
      recorder.ondataavailable = function (event) { if (event.data && event.data.size) { chunks.push(event.data); } };
      recorder.onstop = function () {
        clearInterval(timer);
        overlay.classList.remove("recording");
        show(overlay, false);
        if (lastUrl) { URL.revokeObjectURL(lastUrl); }
        // Only an object URL of the recording in memory: nothing leaves the browser.
        lastUrl = URL.createObjectURL(new Blob(chunks, { type: recorder.mimeType || mimeType || "video/webm" }));
        playback.src = lastUrl;
        show(preview, false);
        show(playback, true);
        stopButton.hidden = true;
        startButton.hidden = false;
        startButton.textContent = gettext("Practise again");
        status(gettext("Watch your practice answer. Practise again, or start the interview when you are ready."));
      };
      recorder.start(1000);
      overlay.classList.add("recording");
      countdown(config.answerSeconds, gettext("Recording"), function () { recorder.stop(); });
      status(gettext("Recording your practice answer: press “Stop” when you are done."));
    }

    startButton.addEventListener("click", function () {
      show(playback, false);
      show(preview, true);
      startButton.hidden = true;
      status(gettext("Preparing: read the practice question. Recording starts when the time is up."));
      countdown(config.prepSeconds, gettext("Preparation"), record);
    });
    stopButton.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") { recorder.stop(); } });

    (async function init() {
      var reason = unsupportedReason();
      if (reason) { showError(reason); return; }
      try {
        stream = await openCamera();
        preview.srcObject = stream;
      } catch (error) {
        showError(deviceErrorMessage(error));
        return;
      }
      startButton.disabled = false;
      status(gettext("Press “Record a practice answer” when you are ready."));
    })();
  }

  if ($("iv-check")) { checkPage($("iv-check")); }
  if ($("iv-practice")) { practicePage(); }
  if ($("iv-record")) { recordPage($("iv-record")); }
})();
