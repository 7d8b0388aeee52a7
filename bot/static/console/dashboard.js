/* Deskmate lead dashboard: draws every <canvas data-chart> with Chart.js (vendored, no CDN) and
   shows the custom date fields only when "Custom dates" is picked.

   Charts never rely on colour alone: each data set also gets its own fill pattern (bars and
   slices) or point shape and dash (lines), values are written on the chart, and the table with
   every value sits under each chart. The chart data is JSON in the canvas' data-chart attribute
   (escaped by the server); labels are drawn as canvas text, never inserted as HTML. */
(function () {
  "use strict";

  // Okabe–Ito colours (told apart with colour-blindness), without the yellow that is too pale on white.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];
  var PATTERNS = ["solid", "diagonal", "dots", "cross", "horizontal", "backdiagonal", "vertical"];
  var POINT_STYLES = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "cross"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var MAX_LABELLED_BARS = 31;
  var MAX_LABELLED_POINTS = 14;
  var TEXT = "#1b1f24";

  function formatNumber(value, percent) {
    if (value === null || value === undefined || isNaN(value)) return "–";
    if (percent) return value.toFixed(1) + " %";
    if (Math.round(value) === value) return value.toLocaleString();
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }

  /* A small repeating tile: the colour with white stripes, dots or a grid on it. */
  function pattern(kind, colour) {
    var size = 10;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var g = tile.getContext("2d");
    g.fillStyle = colour;
    g.fillRect(0, 0, size, size);
    g.strokeStyle = "rgba(255, 255, 255, 0.8)";
    g.fillStyle = "rgba(255, 255, 255, 0.8)";
    g.lineWidth = 2;
    g.beginPath();
    if (kind === "diagonal") {
      g.moveTo(0, size); g.lineTo(size, 0);
      g.moveTo(-2, 2); g.lineTo(2, -2);
      g.moveTo(size - 2, size + 2); g.lineTo(size + 2, size - 2);
      g.stroke();
    } else if (kind === "backdiagonal") {
      g.moveTo(0, 0); g.lineTo(size, size);
      g.moveTo(size - 2, -2); g.lineTo(size + 2, 2);
      g.moveTo(-2, size - 2); g.lineTo(2, size + 2);
      g.stroke();
    } else if (kind === "dots") {
      g.arc(size / 2, size / 2, 2, 0, 2 * Math.PI);
      g.fill();
    } else if (kind === "cross") {
      g.moveTo(size / 2, 0); g.lineTo(size / 2, size);
      g.moveTo(0, size / 2); g.lineTo(size, size / 2);
      g.stroke();
    } else if (kind === "horizontal") {
      g.moveTo(0, size / 2); g.lineTo(size, size / 2);
      g.stroke();
    } else if (kind === "vertical") {
      g.moveTo(size / 2, 0); g.lineTo(size / 2, size);
      g.stroke();
    }
    return g.createPattern(tile, "repeat");
  }

  function fill(index) {
    return pattern(PATTERNS[index % PATTERNS.length], COLOURS[index % COLOURS.length]);
  }

  function datasetsFor(spec) {
    return spec.datasets.map(function (source, index) {
      var colour = COLOURS[index % COLOURS.length];
      var dataset = { label: source.label, data: source.data, percent: source.percent };
      if (spec.type === "line") {
        var many = source.data.length > 20;
        dataset.borderColor = colour;
        dataset.backgroundColor = colour;
        dataset.borderWidth = 2;
        dataset.borderDash = DASHES[index % DASHES.length];
        dataset.pointStyle = POINT_STYLES[index % POINT_STYLES.length];
        dataset.pointRadius = many ? 2 : 4;
        dataset.spanGaps = false;
      } else if (spec.type === "pie") {
        dataset.backgroundColor = source.data.map(function (_value, slice) { return fill(slice); });
        dataset.borderColor = "#ffffff";
        dataset.borderWidth = 2;
      } else {
        dataset.backgroundColor = fill(index);
        dataset.borderColor = colour;
        dataset.borderWidth = 1;
      }
      return dataset;
    });
  }

  /* Writes each value on the chart itself: above bars and points, inside stacked segments and slices. */
  var valueLabels = {
    id: "deskmateValueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var type = chart.config.type;
      var stacked = Boolean(chart.options.scales && chart.options.scales.y && chart.options.scales.y.stacked);
      var total = 0;
      if (type === "pie") {
        total = chart.data.datasets[0].data.reduce(function (sum, value) { return sum + (value || 0); }, 0);
      }
      chart.data.datasets.forEach(function (dataset, datasetIndex) {
        var meta = chart.getDatasetMeta(datasetIndex);
        if (meta.hidden) return;
        var count = meta.data.length;
        meta.data.forEach(function (element, index) {
          var value = dataset.data[index];
          if (value === null || value === undefined) return;
          if (type === "bar" && count > MAX_LABELLED_BARS) return;
          if (type === "line" && count > MAX_LABELLED_POINTS && index !== count - 1) return;
          var text = formatNumber(value, dataset.percent);
          ctx.save();
          ctx.font = "600 11px system-ui, sans-serif";
          ctx.textAlign = "center";
          if (type === "pie" || stacked) {
            if (type === "pie" && (!total || value / total < 0.04)) { ctx.restore(); return; }
            if (stacked && !value) { ctx.restore(); return; }
            var centre = element.tooltipPosition();
            var width = ctx.measureText(text).width + 6;
            ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
            ctx.fillRect(centre.x - width / 2, centre.y - 8, width, 16);
            ctx.fillStyle = TEXT;
            ctx.textBaseline = "middle";
            ctx.fillText(text, centre.x, centre.y);
          } else {
            var top = element.tooltipPosition();
            ctx.fillStyle = TEXT;
            ctx.textBaseline = "bottom";
            ctx.fillText(text, top.x, top.y - 4);
          }
          ctx.restore();
        });
      });
    }
  };

  function optionsFor(spec) {
    var percent = spec.datasets.length > 0 && spec.datasets.every(function (d) { return d.percent; });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { top: 18 } },
      plugins: {
        legend: { display: spec.type === "pie" || spec.datasets.length > 1, position: "bottom",
                  labels: { boxWidth: 22, boxHeight: 14, usePointStyle: spec.type === "line" } },
        tooltip: {
          callbacks: {
            label: function (context) {
              var name = spec.type === "pie" ? context.label : context.dataset.label;
              return name + ": " + formatNumber(context.parsed.y !== undefined ? context.parsed.y : context.parsed,
                                                context.dataset.percent);
            }
          }
        }
      }
    };
    if (spec.type === "pie") {
      options.plugins.legend.labels.generateLabels = function (chart) {
        var base = Chart.overrides.pie.plugins.legend.labels.generateLabels(chart);
        var data = chart.data.datasets[0];
        return base.map(function (item) {
          item.text = item.text + ": " + formatNumber(data.data[item.index], data.percent);
          return item;
        });
      };
      return options;
    }
    var stacked = spec.type === "stacked_bar";
    var whole = spec.datasets.every(function (d) {
      return d.data.every(function (value) { return value === null || Math.round(value) === value; });
    });
    options.scales = {
      x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 50 } },
      y: { stacked: stacked, beginAtZero: true, grace: "8%",
           ticks: { precision: whole && !percent ? 0 : undefined,
                    callback: function (value) { return formatNumber(value, percent); } } }
    };
    if (percent && !stacked) options.scales.y.max = 100;  // shares: the whole axis is 0-100 %
    return options;
  }

  function draw(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "true";
    var spec = JSON.parse(canvas.dataset.chart);
    var type = spec.type === "stacked_bar" ? "bar" : spec.type;
    new Chart(canvas, {
      type: type,
      data: { labels: spec.labels, datasets: datasetsFor(spec) },
      options: optionsFor(spec),
      plugins: [valueLabels]
    });
    canvas.dataset.rendered = "true";
  }

  function drawAll(root) {
    if (typeof Chart === "undefined") return;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  function syncCustomDates() {
    var select = document.getElementById("days");
    if (!select) return;
    var custom = select.value === "custom";
    document.querySelectorAll(".custom-dates").forEach(function (field) { field.hidden = !custom; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart !== "undefined") {
      Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
      Chart.defaults.color = TEXT;
    }
    drawAll(document);
    syncCustomDates();
    var select = document.getElementById("days");
    if (select) select.addEventListener("change", syncCustomDates);
  });
  // The KB gaps arrive after the page (htmx): draw their charts once they are in.
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.detail && event.detail.elt ? event.detail.elt : document);
  });
})();
