// Template editor: placeholder insert buttons and a live preview rendered by the server's whitelist.
(function () {
  "use strict";
  const form = document.getElementById("template-form");
  if (!form) return;
  const body = form.querySelector("#id_body");
  const subject = form.querySelector("#id_subject");
  let target = body;
  [body, subject, form.querySelector("#id_html_body")].forEach(function (el) {
    if (el) el.addEventListener("focus", function () { target = el; });
  });

  form.querySelectorAll("[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () {
      const text = button.dataset.insert;
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? target.value.length;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + text.length, start + text.length);
      schedule();
    });
  });

  let timer = null;
  let seq = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }
  function preview() {
    const data = new FormData(form);
    data.set("applicant", document.getElementById("preview-applicant").value);
    const mine = ++seq;
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        if (mine !== seq) return; // a newer preview is on its way
        const errors = document.getElementById("preview-errors");
        if (!result.ok) {
          errors.textContent = result.errors.join(" ");
          errors.hidden = false;
          return;
        }
        errors.hidden = true;
        document.getElementById("preview-to").textContent = result.to;
        document.getElementById("preview-subject").textContent = result.subject;
        document.getElementById("preview-body").textContent = result.body;
      });
  }
  form.addEventListener("input", schedule);
  document.getElementById("preview-applicant").addEventListener("change", schedule);
  preview();
})();
