// The monthly report's charts (S01, S05): Chart.js 4 from static/vendor, data from the page's JSON.
// Animation is off so a chart is complete the moment it is drawn — on screen and in "print to PDF".
(() => {
  const source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0b6e4f", "#f0b429", "#c81e1e", "#3b82f6", "#7c3aed", "#5f6b7a"];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  const charts = [];

  const trendCanvas = document.getElementById("chart-trend");
  if (trendCanvas) {
    const months = data.trend.map((row) => row.month);
    const series = (key, color, type) => ({
      type, label: data.labels[key], data: data.trend.map((row) => row[key]),
      backgroundColor: color, borderColor: color, tension: 0.2,
    });
    charts.push(new Chart(trendCanvas, {
      type: "bar",
      data: {
        labels: months,
        datasets: [
          series("complaints", palette[2], "bar"),
          series("responded_in_time", palette[1], "line"),
          series("repairs", palette[0], "bar"),
          series("repairs_on_time", palette[3], "line"),
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: "bottom" } } },
    }));
  }

  const breakdown = (id, key, type) => {
    const canvas = document.getElementById(id);
    const rows = data.breakdowns[key];
    if (!canvas || !rows) return;
    charts.push(new Chart(canvas, {
      type,
      data: {
        labels: rows.map((row) => row.label),
        datasets: [{ label: data.labels[key], data: rows.map((row) => row.count), backgroundColor: palette }],
      },
      options: type === "bar"
        ? { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } }
        : { plugins: { legend: { position: "bottom" } } },
    }));
  };
  breakdown("chart-grade", "grade", "doughnut");
  breakdown("chart-channel", "channel", "doughnut");
  breakdown("chart-department", "department", "bar");

  // Canvas prints as drawn: redraw at the print layout's size before printing, and back after.
  const resizeAll = () => charts.forEach((chart) => chart.resize());
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
})();
