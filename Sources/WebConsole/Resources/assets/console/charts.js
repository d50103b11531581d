// Virtyard console: the capacity page's charts (uPlot 1.6.16, vendored) and its scenario file
// input. The server keeps the last 15 minutes per node in memory and serves them as JSON at
// the URL in #capacity-charts[data-history]; this file draws one chart per node and redraws
// whenever the page's "capacity" or "capacity-samples" live topic fires (console.js sends
// "virtyard:live"), so the charts move without a reload. No inline script or style attributes: the CSP forbids them.
(function () {
  "use strict";

  // Colours meet AA contrast on white; the dashes tell the series apart without colour.
  var SERIES = [
    { key: "cpuUsage", label: "CPU usage", stroke: "#1f4e79", dash: [] },
    { key: "memoryUsage", label: "Memory usage", stroke: "#116329", dash: [] },
    { key: "cpuPressure", label: "CPU pressure", stroke: "#b42318", dash: [8, 4] },
    { key: "memoryPressure", label: "Memory pressure", stroke: "#7d4e00", dash: [2, 4] },
  ];
  var HEIGHT = 180;
  var charts = {}; // node name -> { figure, plot, uplot }
  var loading = false;
  var again = false;

  function container() { return document.getElementById("capacity-charts"); }

  function columns(node) {
    return [node.times].concat(SERIES.map(function (s) { return node[s.key]; }));
  }

  function plotWidth(element) { return Math.max(160, Math.floor(element.clientWidth)); }

  function last(values) { return values.length ? values[values.length - 1] : null; }

  // What a screen reader hears for the chart: the newest value of each series.
  function describe(node, minutes) {
    var parts = SERIES.map(function (s) {
      var value = last(node[s.key]);
      return s.label + " " + (value === null ? "no data" : value.toFixed(1) + " %");
    });
    return node.node + ", last " + minutes + " minutes, now: " + parts.join(", ");
  }

  function legend() {
    var list = document.createElement("ul");
    list.className = "chart-legend";
    SERIES.forEach(function (s) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.setAttribute("aria-hidden", "true");
      swatch.textContent = s.dash.length ? "- - " : "—— ";
      swatch.style.color = s.stroke;
      swatch.style.fontWeight = "700";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.label));
      list.appendChild(item);
    });
    return list;
  }

  function create(node, minutes) {
    var figure = document.createElement("figure");
    figure.className = "card";
    figure.style.margin = "0"; // CSSOM, which the CSP allows (no style attributes in markup)
    figure.setAttribute("data-node", node.node);
    var caption = document.createElement("figcaption");
    caption.textContent = node.node;
    var plot = document.createElement("div");
    plot.className = "chart";
    plot.setAttribute("role", "img");
    figure.appendChild(caption);
    figure.appendChild(plot);
    figure.appendChild(legend());
    container().appendChild(figure);
    var options = {
      width: plotWidth(plot),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      // Always the whole window, so a chart that has just started is not stretched over seconds.
      scales: {
        x: { time: true, range: function (u, min, max) { return [max - minutes * 60, max]; } },
        y: { auto: false, range: [0, 100] },
      },
      axes: [{}, { values: function (u, ticks) { return ticks.map(function (t) { return t + " %"; }); }, size: 56 }],
      series: [{}].concat(SERIES.map(function (s) {
        return { label: s.label, stroke: s.stroke, width: 2, dash: s.dash, points: { show: false } };
      })),
    };
    var chart = { figure: figure, plot: plot, uplot: new window.uPlot(options, columns(node), plot) };
    charts[node.node] = chart;
    return chart;
  }

  function draw(history) {
    var root = container();
    if (!root) return;
    // Wider cells than the page's default grid: a chart needs room for its time axis.
    root.style.gridTemplateColumns = "repeat(auto-fill, minmax(min(100%, 22rem), 1fr))";
    var minutes = Math.round((history.windowSeconds || 900) / 60);
    var seen = {};
    (history.nodes || []).forEach(function (node) {
      seen[node.node] = true;
      var chart = charts[node.node] || create(node, minutes);
      chart.uplot.setData(columns(node));
      chart.plot.setAttribute("aria-label", describe(node, minutes));
      chart.figure.setAttribute("data-points", String(node.times.length));
    });
    Object.keys(charts).forEach(function (name) {
      if (seen[name]) return;
      charts[name].uplot.destroy();
      charts[name].figure.remove();
      delete charts[name];
    });
    var empty = root.querySelector(".empty");
    if (empty) empty.hidden = Object.keys(charts).length > 0;
    root.setAttribute("data-loaded", "true");
  }

  // One request at a time; a change that arrives meanwhile asks once more afterwards.
  function refresh() {
    var root = container();
    if (!root || !window.uPlot) return;
    if (loading) { again = true; return; }
    loading = true;
    fetch(root.getAttribute("data-history"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (history) { if (history) draw(history); })
      .catch(function () { /* the next live event tries again */ })
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  function resize() {
    Object.keys(charts).forEach(function (name) {
      var chart = charts[name];
      chart.uplot.setSize({ width: plotWidth(chart.plot), height: HEIGHT });
    });
  }

  // The scenario form's file input: shown only with script, it reads the file into the text
  // area (the form posts text, so it works without script too).
  function enableFileInput(root) {
    (root || document).querySelectorAll("[data-scenario-file]").forEach(function (element) {
      element.hidden = false;
      if (element.tagName !== "INPUT" || element.getAttribute("data-ready")) return;
      element.setAttribute("data-ready", "true");
      element.addEventListener("change", function () {
        var file = element.files && element.files[0];
        var text = document.getElementById("scenario-json");
        if (!file || !text) return;
        file.text().then(function (content) { text.value = content; });
      });
    });
  }

  document.addEventListener("virtyard:live", function (event) {
    var topic = event.detail && event.detail.topic;
    if (topic === "capacity" || topic === "capacity-samples") refresh();
  });
  document.addEventListener("htmx:afterSwap", function (event) { enableFileInput(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    enableFileInput(document);
    refresh();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(resize, 150);
    });
  });
})();
