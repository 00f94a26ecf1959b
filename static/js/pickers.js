// Type-ahead pickers (twinning/shared/pickers.py): a select with data-picker="<endpoint>"
// becomes a Tom Select box that asks the endpoint as the user types (name or code, Chinese
// or Latin), pages through long answers and works with the keyboard (arrows, Enter,
// Backspace). The endpoint answers {results: [{id, label}], has_more}.
// window.startPickers(element) starts those inside an element added later, e.g. a formset's
// new row (static/js/forms.js). A row's <template> is never started: its content is not part
// of the page, so it is cloned as the server wrote it.
(function () {
  "use strict";
  function startPicker(select) {
    if (select.tomselect) return;  // started already
    var url = select.dataset.picker;
    var multiple = select.multiple;
    var plugins = multiple ? ["remove_button", "virtual_scroll"] : ["virtual_scroll"];
    function first(query) { return url + "?q=" + encodeURIComponent(query); }
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "label",
      searchField: [],  // the endpoint has searched already: keep its answer as it is
      plugins: plugins,
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      closeAfterSelect: !multiple,
      hidePlaceholder: true,
      placeholder: select.dataset.placeholder,
      score: function () { return function () { return 1; }; },
      // After a choice the typed text goes, so the next name can be typed straight away.
      onItemAdd: function () { this.setTextboxValue(""); },
      firstUrl: first,
      load: function (query, callback) {
        var picker = this;
        fetch(picker.getUrl(query), {credentials: "same-origin",
                                     headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            if (data.has_more) picker.setNextUrl(query, first(query) + "&p=" + data.next_page);
            callback(data.results || []);
          })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = select.dataset.noResults;
          return div;
        },
        loading: function () {
          var div = document.createElement("div");
          div.className = "picker-loading";
          div.textContent = select.dataset.loading;
          return div;
        },
      },
    });
  }
  window.startPickers = function (root) {
    if (typeof window.TomSelect !== "function") return;
    root.querySelectorAll("select[data-picker]").forEach(startPicker);
  };
  window.startPickers(document);
})();
