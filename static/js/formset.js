// "Add" buttons of Django formsets: <button data-formset-add="PREFIX" data-template="ID" data-target="ID">.
document.querySelectorAll("[data-formset-add]").forEach((button) => {
  button.addEventListener("click", () => {
    const total = document.getElementById(`id_${button.dataset.formsetAdd}-TOTAL_FORMS`);
    const html = document.getElementById(button.dataset.template).innerHTML.replace(/__prefix__/g, total.value);
    document.getElementById(button.dataset.target).insertAdjacentHTML("beforeend", html);
    total.value = Number(total.value) + 1;
  });
});
