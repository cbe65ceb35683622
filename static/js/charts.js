/* vnemis charts, drawn with Apache ECharts (static/vendor/echarts, installed from the npm
   registry by `make setup`, pinned by package-lock.json).

   The Content-Security-Policy allows no inline script, so a page gives each chart as
   <div data-chart="ID"> and its numbers as {{ data|json_script:"ID-data" }}; this file draws
   them. ECharts' HTML tooltips write style attributes, which the policy refuses: tooltips are
   drawn on the canvas instead (renderMode "richText"). Sizes are set through the style
   property, which the policy allows, not through a style attribute.

   Numbers follow the page language: 228.322 and 12,5 in Vietnamese, 228,322 and 12.5 in
   English, as the server writes them in the table view beside each chart. */
"use strict";

(() => {
  const english = (document.documentElement.lang || "vi").toLowerCase().startsWith("en");
  const GROUP = english ? "," : ".";
  const DECIMAL = english ? "." : ",";
  // One colour per connection, the same on every page (wired, 3G/4G, none, not recorded).
  const MIX_COLOURS = {
    wired: "#2e7d32",
    mobile: "#1565c0",
    none: "#c62828",
    not_recorded: "#9e9e9e",
  };

  /* 12.5 → "12,5" (vi) or "12.5" (en), with at most two decimals, trailing zeros dropped as
     the table's floatformat:"-2g" does (values come rounded to their indicator's decimals,
     targets have two); a missing value is a dash. */
  function formatNumber(value, decimals = 2) {
    if (value === null || value === undefined || !Number.isFinite(value)) {
      return "—";
    }
    const fixed = Math.abs(value).toFixed(decimals);
    const [whole, fraction = ""] = fixed.split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
    const kept = fraction.replace(/0+$/, "");
    const sign = value < 0 && Number(fixed) !== 0 ? "-" : "";
    return sign + grouped + (kept ? DECIMAL + kept : "");
  }

  function withUnit(value, indicator) {
    const text = formatNumber(value);
    if (text === "—" || !indicator.unit) {
      return text;
    }
    return indicator.unit === "%" ? text + "%" : text + " " + indicator.unit;
  }

  const hasAny = (values) => values.some((v) => v !== null && v !== undefined);

  function baseOption() {
    return {
      animation: false, // drawn at once: the PNG and the table show the same state
      textStyle: { fontFamily: "inherit" },
      legend: { top: 0 },
      tooltip: { renderMode: "richText", confine: true },
    };
  }

  function trendOption(data) {
    const ind = data.indicator;
    const series = [
      {
        name: data.names.value,
        type: "line",
        data: data.values,
        symbolSize: 8,
        label: { show: true, formatter: (p) => withUnit(p.value, ind) },
      },
    ];
    if (hasAny(data.targets)) {
      series.push({
        name: data.names.target,
        type: "line",
        data: data.targets,
        connectNulls: true,
        symbol: "diamond",
        symbolSize: 8,
        lineStyle: { type: "dashed" },
        label: { show: true, position: "bottom", formatter: (p) => withUnit(p.value, ind) },
      });
    }
    return {
      ...baseOption(),
      tooltip: {
        ...baseOption().tooltip,
        trigger: "axis",
        valueFormatter: (v) => withUnit(v, ind),
      },
      grid: { left: 16, right: 32, top: 48, bottom: 16 },
      xAxis: { type: "category", data: data.periods, boundaryGap: true },
      yAxis: {
        type: "value",
        min: 0,
        max: ind.unit === "%" ? 100 : null,
        axisLabel: { formatter: (v) => withUnit(v, ind) },
      },
      series,
    };
  }

  function barsOption(data) {
    const ind = data.indicator;
    const series = {
      name: data.names.value,
      type: "bar",
      data: data.values,
      label: { show: true, position: "right", formatter: (p) => withUnit(p.value, ind) },
    };
    if (data.target !== null && data.target !== undefined) {
      series.markLine = {
        symbol: "none",
        silent: true,
        lineStyle: { type: "dashed" },
        label: { formatter: () => data.names.target + ": " + withUnit(data.target, ind) },
        data: [{ xAxis: data.target }],
      };
    }
    return {
      ...baseOption(),
      legend: { show: false },
      tooltip: {
        ...baseOption().tooltip,
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v) => withUnit(v, ind),
      },
      grid: { left: 16, right: 64, top: 24, bottom: 16 },
      // Best first: the first unit is drawn at the top.
      yAxis: { type: "category", data: data.units, inverse: true },
      xAxis: {
        type: "value",
        min: 0,
        max: ind.unit === "%" ? 100 : null,
        axisLabel: { formatter: (v) => withUnit(v, ind) },
      },
      series: [series],
    };
  }

  function mixOption(data) {
    return {
      ...baseOption(),
      tooltip: {
        ...baseOption().tooltip,
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v) => formatNumber(v),
      },
      grid: { left: 16, right: 32, top: 48, bottom: 16 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      // Whole schools and sites: no 0,5 on the axis.
      xAxis: { type: "value", min: 0, minInterval: 1, axisLabel: { formatter: (v) => formatNumber(v) } },
      series: data.series.map((s) => ({
        name: s.name,
        type: "bar",
        stack: "all",
        data: s.data,
        itemStyle: { color: MIX_COLOURS[s.key] },
        label: { show: true, formatter: (p) => (p.value ? formatNumber(p.value) : "") },
      })),
    };
  }

  const OPTIONS = { trend: trendOption, bars: barsOption, mix: mixOption };

  function heightFor(data) {
    if (data.kind === "bars") {
      return Math.max(200, 36 * data.units.length + 64);
    }
    if (data.kind === "mix") {
      return 80 * data.categories.length + 80;
    }
    return 320;
  }

  function readData(box) {
    const source = document.getElementById(box.dataset.chart + "-data");
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(box) {
    const data = readData(box);
    const build = data && OPTIONS[data.kind];
    if (!build || typeof echarts === "undefined") {
      return;
    }
    box.style.height = heightFor(data) + "px";
    // The built-in English words are never shown (no toolbox): "EN" keeps any out of Chinese.
    const chart = echarts.init(box, null, { renderer: "canvas", locale: "EN" });
    chart.setOption(build(data));
    box.dataset.chartReady = "1";
  }

  /* <button data-chart-png="ID" data-filename="…png">: the chart as a PNG, with its title
     drawn in for the time of the export, so the file says what it shows. */
  function downloadPng(button) {
    const box = document.querySelector('[data-chart="' + button.dataset.chartPng + '"]');
    const chart = box && echarts.getInstanceByDom(box);
    if (!chart) {
      return;
    }
    const title = box.dataset.chartTitle || "";
    const grid = chart.getOption().grid;
    const top = (grid && grid[0] && grid[0].top) || 24;
    chart.setOption({ title: { text: title, left: "center", top: 0 }, grid: { top: top + 32 } });
    chart.setOption({ legend: { top: 28 } });
    const url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    chart.setOption({ title: { text: "" }, grid: { top }, legend: { top: 0 } });
    const link = document.createElement("a");
    link.href = url;
    link.download = button.dataset.filename || "chart.png";
    document.body.append(link);
    link.click();
    link.remove();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-chart-png]");
    if (button) {
      downloadPng(button);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const boxes = Array.from(document.querySelectorAll("[data-chart]"));
    boxes.forEach(draw);
    window.addEventListener("resize", () => {
      boxes.forEach((box) => {
        const chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(box);
        if (chart) {
          chart.resize();
        }
      });
    });
  });
})();
