// Follows an import a worker runs: polls its status, shows rows checked and written, and
// reloads the page (which then shows the result) when it has finished.
(function () {
  const box = document.querySelector("[data-import-status]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const note = box.querySelector("[data-note]");
  const template = box.dataset.template || "";
  async function poll() {
    try {
      const response = await fetch(box.dataset.importStatus, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const s = await response.json();
        if (s.done) { window.location.reload(); return; }
        bar.max = Math.max(s.rows, 1);
        bar.value = s.checked;
        note.textContent = (template || "{state} · {checked} / {rows} · {written}")
          .replace("{state}", s.state_label).replace("{checked}", s.checked)
          .replace("{rows}", s.rows).replace("{written}", s.written);
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1500);
  }
  setTimeout(poll, 1000);
})();
