// The rating sheet: fill the unrated rows at once, count progress, Enter moves to the next
// member, and a warning before leaving with unsaved changes. The page works without it.
(function () {
  const form = document.getElementById("sheet");
  if (!form) return;
  const selects = Array.from(form.querySelectorAll("select[name$='-rating']"));
  const progress = form.querySelector("[data-progress]");
  let dirty = false;

  function count() {
    if (!progress) return;
    const rated = selects.filter((s) => s.value !== "").length;
    progress.textContent = progress.dataset.template
      .replace("{rated}", rated).replace("{total}", selects.length);
  }

  if (progress) {
    progress.dataset.template = progress.dataset.label || "已选 {rated} / {total}";
    count();
  }
  form.addEventListener("change", () => { dirty = true; count(); });
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  const fill = form.querySelector("[data-fill]");
  if (fill) {
    fill.hidden = false;
    fill.addEventListener("click", () => {
      selects.forEach((s) => { if (s.value === "") s.value = fill.dataset.fill; });
      dirty = true;
      count();
    });
  }

  form.querySelectorAll("input[name$='-basis']").forEach((input) => {
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const row = input.closest("tr");
      const next = row && row.nextElementSibling;
      const target = next && next.querySelector("select");
      if (target) target.focus();
    });
  });
})();
