// « Imprimer » buttons (data-print): shown only when scripts run; the page says Ctrl+P otherwise.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
