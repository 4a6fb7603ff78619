// Draws the pages' charts with the vendored Chart.js, from data the page embeds with json_script.
(function () {
  "use strict";
  var palette = ["#2f5bd3", "#d35f2f", "#1c7c4a", "#8a5a00", "#7b3fb3", "#b3261e", "#0f7c8a", "#5b6478", "#c23f8f", "#3f8fc2", "#6f8a00", "#a0522d", "#444"];
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function draw() {
    var progress = document.getElementById("progress-chart");
    if (progress) {
      var weekly = data("progress-data");
      new Chart(progress, {
        type: "bar",
        data: {
          labels: weekly.labels.map(function (week) { return "week of " + week.slice(5); }),
          datasets: weekly.datasets.map(function (set, i) { return { label: set.label, data: set.data, backgroundColor: palette[i % palette.length] }; })
        },
        options: { maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var classChart = document.getElementById("class-chart");
    if (classChart) {
      var top = data("class-data");
      new Chart(classChart, {
        type: "bar",
        data: { labels: top.labels, datasets: [{ label: "Mistakes, last 4 weeks", data: top.data, backgroundColor: palette[0] }] },
        options: { indexAxis: "y", maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
