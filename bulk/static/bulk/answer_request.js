// The answer request page: poll the progress endpoint until the background job finishes.
(() => {
  const box = document.getElementById("answer-request");
  if (!box || box.dataset.finished === "1") return;
  const bar = document.getElementById("ar-progress");
  const numbers = document.getElementById("ar-numbers");
  const template = numbers.dataset.template;
  const poll = async () => {
    let data;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (e) {
      setTimeout(poll, 3000);
      return;
    }
    bar.setAttribute("aria-valuenow", String(data.percent));
    bar.firstElementChild.style.width = `${data.percent}%`;
    document.getElementById("ar-state").textContent = data.state_label;
    document.getElementById("ar-state").className = `badge state-${data.state}`;
    numbers.textContent = template.replace("%(done)s", data.processed.toLocaleString()).replace("%(total)s", data.target.toLocaleString());
    document.getElementById("ar-queued").textContent = data.queued.toLocaleString();
    if (data.finished) {
      box.dataset.finished = "1";
      document.getElementById("ar-done").hidden = false;
    } else {
      setTimeout(poll, 1000);
    }
  };
  setTimeout(poll, 500);
})();
