// Copy buttons of the share URL section: copy the input the button's data-copy selector names.
document.querySelectorAll(".copy-button").forEach((button) => button.addEventListener("click", async () => {
  const input = document.querySelector(button.dataset.copy);
  input.select();
  try { await navigator.clipboard.writeText(input.value); } catch (e) { document.execCommand("copy"); }
}));
