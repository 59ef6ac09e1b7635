// The dashboard's two charts; the data comes in the canvas's data-chart attribute (no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const perHour = document.getElementById("per-hour");
  const latency = document.getElementById("latency");
  if (!perHour || typeof Chart === "undefined") return;
  const data = JSON.parse(perHour.dataset.chart);
  Chart.defaults.font.family = "Sarabun, sans-serif";
  Chart.defaults.animation = false;
  const colours = ["#0b5cad", "#1f7a3d", "#b3261e"];
  new Chart(perHour, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: Object.entries(data.series).map(([label, values], i) => ({
        label, data: values, backgroundColor: colours[i % colours.length],
      })),
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  new Chart(latency, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: "p50", data: data.latency.p50, borderColor: "#0b5cad", spanGaps: true },
        { label: "p95", data: data.latency.p95, borderColor: "#a15c00", spanGaps: true },
      ],
    },
    options: { responsive: true, scales: { y: { beginAtZero: true } } },
  });
});
