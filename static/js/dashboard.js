// Draws the dashboard's charts from the figures the server put in #dashboard-data.
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const red = "#b3261e", blue = "#1f6feb";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  };
  draw("chart-by-town", {
    type: "bar",
    data: { labels: data.by_town.labels, datasets: [
      { label: data.names.villages, data: data.by_town.villages, backgroundColor: red },
      { label: data.names.committees, data: data.by_town.committees, backgroundColor: blue },
    ] },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false },
  });
  draw("chart-filing", {
    type: "line",
    data: { labels: data.filing.labels, datasets: [
      { label: data.filing.name, data: data.filing.rates, borderColor: red, backgroundColor: red },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { min: 0, max: 100 } } },
  });
  draw("chart-scores", {
    type: "line",
    data: { labels: data.scores.labels, datasets: [
      { label: data.scores.name, data: data.scores.averages, borderColor: red, backgroundColor: red, spanGaps: true },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false },
  });
  draw("chart-aid", {
    data: { labels: data.aid.labels, datasets: [
      { type: "bar", label: data.aid.names[0], data: data.aid.investment_wan, backgroundColor: red, yAxisID: "y" },
      { type: "line", label: data.aid.names[1], data: data.aid.jobs, borderColor: blue, backgroundColor: blue, yAxisID: "jobs" },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { position: "left" }, jobs: { position: "right", grid: { drawOnChartArea: false } } } },
  });
  draw("chart-mechanism", {
    type: "bar",
    data: { labels: data.aid.mechanisms, datasets: [
      { label: data.aid.names[0], data: data.aid.mechanism_wan, backgroundColor: [red, blue, "#d4a72c"] },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
  });
  draw("chart-trend", {
    type: "line",
    data: { labels: data.trend.labels, datasets: [
      { label: data.names.committees, data: data.trend.committees, borderColor: blue, backgroundColor: blue },
      { label: data.names.villages, data: data.trend.villages, borderColor: red, backgroundColor: red },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false },
  });
})();
