// まとめて処理モード on the applicant list: tick rows, or every applicant matching the search.
(() => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const boxes = [...form.querySelectorAll("input[name=im_id]")];
  const tickPage = document.getElementById("tick-page");
  const hint = document.getElementById("select-all-hint");
  const nothing = document.getElementById("nothing-ticked");
  const counter = document.getElementById("ticked-count");
  const scopeAll = document.getElementById("scope-all");
  const scopeSelected = form.querySelector("input[name=scope][value=selected]");

  const refresh = () => {
    const ticked = boxes.filter((b) => b.checked).length;
    counter.textContent = String(ticked);
    if (ticked > 0 && !scopeAll.checked) scopeSelected.checked = true;
    tickPage.checked = ticked > 0 && ticked === boxes.length;
    hint.hidden = !(tickPage.checked && !scopeAll.checked);
    nothing.hidden = true;
  };
  boxes.forEach((b) => b.addEventListener("change", refresh));
  tickPage.addEventListener("change", () => {
    boxes.forEach((b) => { b.checked = tickPage.checked; });
    if (!tickPage.checked) scopeSelected.checked = true;
    refresh();
  });
  const selectAll = document.getElementById("select-all-matching");
  if (selectAll) selectAll.addEventListener("click", () => { scopeAll.checked = true; hint.hidden = true; });
  scopeAll.addEventListener("change", refresh);
  form.addEventListener("submit", (event) => {
    if (!scopeAll.checked && !boxes.some((b) => b.checked)) {
      event.preventDefault();
      nothing.hidden = false;
    }
  });
})();
