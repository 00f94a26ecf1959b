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
// A POST form's submit buttons are disabled while the request runs, so a second click
// cannot send it again (the server also refuses a repeat; see twinning/submissions.py).
// Disabled only after the browser has read the form: a disabled button's value is not sent.
const submittingLabel = document.body.dataset.submitting || "…";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  const buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  setTimeout(() => {
    if (event.defaultPrevented) return;  // another script stopped the submission
    form.setAttribute("aria-busy", "true");
    buttons.forEach((button) => {
      button.dataset.label = button instanceof HTMLInputElement ? button.value : button.textContent;
      if (button === event.submitter) {
        if (button instanceof HTMLInputElement) button.value = submittingLabel;
        else button.textContent = submittingLabel;
      }
      button.disabled = true;
    });
  }, 0);
});
// Back to a page kept by the browser (bfcache): its buttons work again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[aria-busy=true]").forEach((form) => {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-label]").forEach((button) => {
      if (button instanceof HTMLInputElement) button.value = button.dataset.label;
      else button.textContent = button.dataset.label;
      delete button.dataset.label;
      button.disabled = false;
    });
  });
});
// A form sent back with errors: bring its summary (at the top of the form) into view and
// give it the focus, so a phone shows what to fix instead of the top of the page.
const errorSummary = document.getElementById("error-summary");
if (errorSummary) {
  errorSummary.focus({ preventScroll: true });
  errorSummary.scrollIntoView({ block: "start" });
  // A link in it goes to its field and puts the focus there; a picker's select is hidden
  // behind its type-ahead box (static/js/pickers.js), which takes the focus instead.
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    const target = field.tomselect ? field.tomselect.control_input : field;
    (target.closest(".field, tr, fieldset") || target).scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
}
// A text with a length limit counts what is typed against the limit.
document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach((field) => {
  const limit = Number(field.getAttribute("maxlength"));
  if (!limit || limit >= 10000) return;
  const counter = document.createElement("span");
  counter.className = "counter muted";
  counter.setAttribute("aria-live", "polite");
  const template = document.body.dataset.counter || "{n}/{max}";
  const update = () => {
    counter.textContent = template.replace("{n}", field.value.length).replace("{max}", limit);
    counter.classList.toggle("bad", field.value.length >= limit);
  };
  field.insertAdjacentElement("afterend", counter);
  field.addEventListener("input", update);
  update();
});
