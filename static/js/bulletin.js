// Follows a bulletin build: polls its status, shows its state and progress, and reloads the
// page when it has finished.
(function () {
  const box = document.querySelector("[data-bulletin-status]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const note = box.querySelector("[data-note]");
  const badge = document.querySelector("[data-state]");
  async function poll() {
    try {
      const response = await fetch(box.dataset.bulletinStatus, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const s = await response.json();
        bar.value = s.progress;
        if (badge) badge.textContent = s.state_label;
        note.textContent = s.state_label + (s.note ? " · " + s.note : "") + " · " + s.progress + "%";
        if (s.done) { window.location.reload(); return; }
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1500);
  }
  setTimeout(poll, 1000);
})();
