// Draws the charts of a bulletin's phone edition: each canvas carries its chart (the same
// figures as the PDF's) in data-chart, drawn with the Chart.js vendored in static/.
(function () {
  if (typeof Chart === "undefined") return;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const number = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 1 });
  document.querySelectorAll(".bulletin-edition canvas[data-chart]").forEach(function (canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const horizontal = spec.kind === "hbar";
    const many = spec.series.length > 1;
    const whole = spec.series.every(function (s) { return s.values.every(Number.isInteger); });
    // Bars by town grow with the towns, so the chart stays readable on a phone (set here:
    // the site's Content-Security-Policy refuses style attributes in the markup).
    canvas.parentElement.style.height = (horizontal ? Math.max(120, 70 + 26 * spec.labels.length) : 260) + "px";
    new Chart(canvas, {
      type: spec.kind === "line" ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s) {
          return { label: s.name, data: s.values, borderColor: s.colour, backgroundColor: s.colour };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false,
        animation: false,
        plugins: {
          title: { display: true, text: spec.title },
          legend: { display: many },
          tooltip: { callbacks: { label: function (c) {
            return (many ? c.dataset.label + "：" : "") + number.format(c.raw) + spec.unit;
          } } },
        },
        // The value axis of the PDF's chart: from 0 to the same round maximum on the same
        // round step (rates to 100%, counts on whole numbers).
        scales: { [horizontal ? "x" : "y"]: { min: 0, max: spec.axis.max,
          ticks: { stepSize: spec.axis.step, precision: whole ? 0 : undefined,
                   callback: function (v) { return number.format(v) + spec.unit; } } } },
      },
    });
  });
})();
