// Behaviour every page shares. No inline scripts: the content security policy forbids them.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
