// Progressive help on long forms: rows added to a formset, and a running score total.
// Without JavaScript the forms still work: one blank row is always there.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var rows = document.querySelector('[data-formset="' + prefix + '"]');
    if (!total || !template || !rows) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = Number(total.value);
      rows.insertAdjacentHTML("beforeend", template.innerHTML
        .replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1)));
      total.value = String(index + 1);
      var row = rows.lastElementChild;
      // A picker in the new row (static/js/pickers.js, loaded with the form that has one).
      if (typeof window.startPickers === "function") window.startPickers(row);
      var first = row.querySelector("textarea, input:not([type=hidden]), select");
      if (first) first.focus();
    });
  });
  document.querySelectorAll("[data-score-total]").forEach(function (output) {
    var inputs = output.closest("form").querySelectorAll("[data-score]");
    function update() {
      var sum = 0;
      inputs.forEach(function (input) {
        var value = parseFloat(input.value);
        if (!isNaN(value)) sum += value;
      });
      output.textContent = (Math.round(sum * 10) / 10).toString();
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
})();
