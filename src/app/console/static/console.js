// The operator console's only script (CSP: script-src 'self', no inline code). The console works
// without it; it only asks before a form marked data-confirm is sent.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
