// Behaviour every page shares. No inline scripts: the content security policy forbids them.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
// One navigation menu open at a time; a click elsewhere closes it.
const menus = document.querySelectorAll("header.top details.menu");
menus.forEach((menu) => menu.addEventListener("toggle", () => {
  if (menu.open) menus.forEach((other) => { if (other !== menu) other.open = false; });
}));
document.addEventListener("click", (event) => {
  menus.forEach((menu) => { if (!menu.contains(event.target)) menu.open = false; });
});
