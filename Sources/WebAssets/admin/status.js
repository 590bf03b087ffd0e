// Relay's operator status page: asks for the operator key (kept in this tab's sessionStorage), polls
// GET /admin/api/status with it, and draws the last hour as hand-made SVG charts and tables. No library, and nothing
// from any other host. Data only ever reaches the page through textContent and SVG attributes, never as HTML.
"use strict";

const KEY_STORAGE = "relay.operatorKey";
const STATUS_URL = "/admin/api/status";
const POLL_MS = 5000;
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

let pollTimer = null;
let lastStatus = null;
let lastUpdate = null;

// MARK: Formatting

function formatCount(value) {
  if (value == null || !isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1e9) return trim(value / 1e9) + "B";
  if (abs >= 1e6) return trim(value / 1e6) + "M";
  if (abs >= 1e4) return trim(value / 1e3) + "k";
  return Math.round(value).toLocaleString("en-US");
}

function trim(value) {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1).replace(/\.0$/, "") : value.toFixed(2).replace(/\.?0+$/, "");
}

function formatRate(value) {
  if (value == null || !isFinite(value)) return "–";
  if (value === 0) return "0";
  if (value < 0.01) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return formatCount(value);
}

/// An axis value: as few digits as its round value needs.
function formatTick(value) {
  if (value >= 1e4) return formatCount(value);
  return String(Math.round(value * 1000) / 1000);
}

function formatMs(value) {
  if (value == null || !isFinite(value)) return "–";
  if (value >= 10000) return (value / 1000).toFixed(1) + " s";
  if (value >= 1000) return (value / 1000).toFixed(2) + " s";
  if (value >= 10) return Math.round(value) + " ms";
  return value.toFixed(1) + " ms";
}

function formatPercent(fraction) {
  if (fraction == null || !isFinite(fraction)) return "–";
  const percent = fraction * 100;
  if (percent === 0) return "0%";
  if (percent < 0.1) return "<0.1%";
  return (percent < 10 ? percent.toFixed(1) : percent.toFixed(0)) + "%";
}

function formatClock(unixSeconds, withSeconds) {
  const date = new Date(unixSeconds * 1000);
  const pad = (number) => String(number).padStart(2, "0");
  return pad(date.getHours()) + ":" + pad(date.getMinutes()) + (withSeconds ? ":" + pad(date.getSeconds()) : "");
}

function shortID(id) {
  const text = String(id ?? "");
  return text.length > 13 ? text.slice(0, 8) + "…" : text;
}

// MARK: DOM helpers

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function svg(tag, attributes, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (parent) parent.appendChild(node);
  return node;
}

// MARK: Scales

/// Round tick values covering 0…max: about `count` of them, at 1, 2, 2.5 or 5 times a power of ten.
function niceTicks(max, count) {
  if (!(max > 0)) max = 1;
  const rough = max / count;
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let value = 0; value <= top + step / 2; value += step) ticks.push(value);
  return ticks;
}

// MARK: Charts

/// Draws one chart into `figure`: lines (with an optional area under the first) or stacked bars, a y axis of round
/// values, time along x, and a cursor that shows every series' value at the hovered step.
function drawChart(figure, options) {
  const plot = figure.querySelector(".plot");
  const legend = figure.querySelector(".legend");
  legend.replaceChildren(
    ...options.series.map((series) => {
      const item = element("span", "legend-item");
      item.append(element("span", "swatch " + series.className), document.createTextNode(series.label));
      return item;
    }),
  );

  const width = Math.max(plot.clientWidth, 200);
  const height = Math.max(plot.clientHeight, 120);
  const margin = { top: 8, right: 10, bottom: 22, left: 52 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const times = options.timestamps;
  const count = times.length;
  const stacked = options.kind === "stacked";

  let max = 0;
  for (let index = 0; index < count; index++) {
    if (stacked) {
      max = Math.max(max, options.series.reduce((sum, series) => sum + (series.values[index] || 0), 0));
    } else {
      for (const series of options.series) max = Math.max(max, series.values[index] || 0);
    }
  }
  const ticks = niceTicks(max * 1.05 || options.minimumTop || 1, 4);
  const top = ticks[ticks.length - 1];
  const first = times[0] ?? 0;
  const last = times[count - 1] ?? 1;
  const span = Math.max(last - first, 1);
  const slot = count > 1 ? innerWidth / count : innerWidth;
  const x = stacked
    ? (index) => margin.left + slot * index + slot / 2
    : (index) => margin.left + ((times[index] - first) / span) * innerWidth;
  const y = (value) => margin.top + innerHeight - (value / top) * innerHeight;

  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": figure.querySelector("figcaption span").textContent });
  for (const tick of ticks) {
    svg("line", { class: "gridline", x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }, root);
    const label = svg("text", { class: "axis-label", x: margin.left - 8, y: y(tick) + 4, "text-anchor": "end" }, root);
    label.textContent = options.format(tick, true);
  }
  // Time labels on round times (a quarter hour over the usual hour), at most six of them.
  const labelEvery = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600].find((every) => span / every <= 6) || 3600;
  for (let time = Math.ceil(first / labelEvery) * labelEvery; time <= last; time += labelEvery) {
    const position = stacked ? margin.left + ((time - first) / span) * (innerWidth - slot) + slot / 2 : margin.left + ((time - first) / span) * innerWidth;
    // Labels at the ends stay inside the chart.
    const anchor = position > width - margin.right - 30 ? "end" : position < margin.left + 20 ? "start" : "middle";
    const label = svg("text", { class: "axis-label", x: anchor === "end" ? Math.min(position, width - 2) : position, y: height - 4, "text-anchor": anchor }, root);
    label.textContent = formatClock(time, labelEvery < 60);
  }

  if (stacked) {
    const barWidth = Math.max(slot * 0.72, 1);
    for (let index = 0; index < count; index++) {
      let base = 0;
      for (const series of options.series) {
        const value = series.values[index] || 0;
        if (value <= 0) continue;
        svg("rect", { class: series.className, x: x(index) - barWidth / 2, y: y(base + value), width: barWidth, height: Math.max(y(base) - y(base + value), 0.5), rx: Math.min(1.5, barWidth / 3) }, root);
        base += value;
      }
    }
  } else {
    options.series.forEach((series, seriesIndex) => {
      const segments = [];
      let current = [];
      for (let index = 0; index < count; index++) {
        const value = series.values[index];
        if (value == null || !isFinite(value)) {
          if (current.length) segments.push(current);
          current = [];
        } else {
          current.push([x(index), y(value)]);
        }
      }
      if (current.length) segments.push(current);
      for (const points of segments) {
        if (options.area && seriesIndex === 0 && points.length > 1) {
          const path = points.map(([px, py], i) => (i ? "L" : "M") + px.toFixed(1) + "," + py.toFixed(1)).join("");
          const baseline = y(0).toFixed(1);
          svg("path", { class: "area " + series.className, d: `${path}L${points[points.length - 1][0].toFixed(1)},${baseline}L${points[0][0].toFixed(1)},${baseline}Z` }, root);
        }
        if (points.length === 1) {
          svg("circle", { class: series.className, cx: points[0][0], cy: points[0][1], r: 2 }, root);
        } else {
          const d = points.map(([px, py], i) => (i ? "L" : "M") + px.toFixed(1) + "," + py.toFixed(1)).join("");
          svg("path", { class: "line " + series.className, d }, root);
        }
      }
    });
  }

  // The cursor: a dashed line, a dot on each series, and a tooltip with the step's values.
  const cursor = svg("g", { visibility: "hidden" }, root);
  const cursorLine = svg("line", { class: "cursor", y1: margin.top, y2: margin.top + innerHeight }, cursor);
  const dots = stacked ? [] : options.series.map((series) => svg("circle", { class: "dot " + series.className, r: 3.5 }, cursor));
  const target = svg("rect", { class: "hover-target", x: margin.left, y: margin.top, width: innerWidth, height: innerHeight }, root);
  const tooltip = element("div", "tooltip");
  tooltip.hidden = true;

  function nearest(clientX) {
    const bounds = root.getBoundingClientRect();
    const px = clientX - bounds.left;
    let best = 0;
    for (let index = 1; index < count; index++) {
      if (Math.abs(x(index) - px) < Math.abs(x(best) - px)) best = index;
    }
    return best;
  }

  target.addEventListener("mousemove", (event) => {
    if (!count) return;
    const index = nearest(event.clientX);
    const px = x(index);
    cursor.setAttribute("visibility", "visible");
    cursorLine.setAttribute("x1", px);
    cursorLine.setAttribute("x2", px);
    let base = 0;
    options.series.forEach((series, seriesIndex) => {
      const value = series.values[index];
      if (!stacked) {
        const dot = dots[seriesIndex];
        if (value == null || !isFinite(value)) {
          dot.setAttribute("visibility", "hidden");
        } else {
          dot.setAttribute("visibility", "visible");
          dot.setAttribute("cx", px);
          dot.setAttribute("cy", y(value));
        }
      }
      base += value || 0;
    });
    tooltip.replaceChildren(element("div", "tooltip-time", formatClock(times[index], (options.step || 60) < 60)));
    for (const series of options.series) {
      const row = element("div");
      row.append(element("span", "swatch " + series.className), document.createTextNode(series.label + ": " + options.format(series.values[index], false)));
      tooltip.appendChild(row);
    }
    tooltip.hidden = false;
    const left = px + 12 + tooltip.offsetWidth > width ? px - 12 - tooltip.offsetWidth : px + 12;
    tooltip.style.left = Math.max(0, left) + "px";
  });
  target.addEventListener("mouseleave", () => {
    cursor.setAttribute("visibility", "hidden");
    tooltip.hidden = true;
  });

  plot.replaceChildren(root, tooltip);
}

// MARK: Rendering

function sum(values) {
  return (values || []).reduce((total, value) => total + (isFinite(value) && value != null ? value : 0), 0);
}

function lastValue(values) {
  for (let index = (values || []).length - 1; index >= 0; index--) {
    if (values[index] != null && isFinite(values[index])) return values[index];
  }
  return null;
}

function render(status) {
  const series = status.series || {};
  const times = series.timestamps || [];
  const step = status.step_seconds || 60;
  const rps = series.requests_per_second || [];
  const requests = sum(rps) * step;

  // A step without requests has no latency: a gap in the lines, not a fall to zero.
  const latency = (values) => (values || []).map((value, index) => (rps[index] > 0 ? value : null));
  const p50 = latency(series.p50_ms);
  const p95 = latency(series.p95_ms);
  const p99 = latency(series.p99_ms);
  // The last step is still under way: the tiles show the one before it.
  const complete = Math.max(times.length - 2, 0);
  const lastActive = (values) => lastValue((values || []).slice(0, complete + 1));

  // Tiles
  $("tile-rps").textContent = formatRate(rps[complete] ?? 0);
  $("tile-rps-sub").textContent = formatCount(requests) + " requests in the last hour";
  $("tile-latency").textContent = formatMs(lastActive(p95));
  $("tile-latency-sub").textContent = "p50 " + formatMs(lastActive(p50)) + " · p99 " + formatMs(lastActive(p99));
  const weighted = (rates) => (requests > 0 ? sum((rates || []).map((rate, index) => (rate || 0) * (rps[index] || 0) * step)) / requests : 0);
  $("tile-errors").textContent = formatPercent(weighted(series.error_rate));
  $("tile-errors-sub").textContent = "client errors " + formatPercent(weighted(series.client_error_rate));
  const input = sum(series.input_tokens);
  const output = sum(series.output_tokens);
  $("tile-tokens").textContent = formatCount(input + output);
  $("tile-tokens-sub").textContent = "in " + formatCount(input) + " · out " + formatCount(output);
  const jobs = status.jobs || {};
  $("tile-jobs").textContent = formatCount(jobs.queued ?? 0);
  $("tile-jobs-sub").textContent = formatCount(jobs.running ?? 0) + " running · " + formatCount(jobs.failed ?? 0) + " failed";

  // Charts
  const chart = (figure, options) => drawChart(figure, { timestamps: times, step, ...options });
  $("chart-tokens").querySelector("figcaption span").textContent = step === 60 ? "Tokens per minute" : step === 1 ? "Tokens per second" : "Tokens per " + step + " s";
  chart($("chart-rps"), {
    area: true,
    series: [{ label: "requests/s", className: "s-rps", values: rps }],
    format: (value, axis) => (axis ? formatTick(value) : formatRate(value)),
  });
  chart($("chart-latency"), {
    series: [
      { label: "p50", className: "s-p50", values: p50 },
      { label: "p95", className: "s-p95", values: p95 },
      { label: "p99", className: "s-p99", values: p99 },
    ],
    format: (value, axis) => (axis ? (value >= 1000 ? formatTick(value / 1000) + " s" : value ? formatTick(value) + " ms" : "0") : formatMs(value)),
    minimumTop: 10,
  });
  chart($("chart-errors"), {
    series: [
      { label: "5xx", className: "s-error", values: series.error_rate || [] },
      { label: "4xx", className: "s-client-error", values: series.client_error_rate || [] },
    ],
    format: (value, axis) => (axis ? Math.round(value * 1000) / 10 + "%" : formatPercent(value)),
    minimumTop: 0.01,
  });
  chart($("chart-tokens"), {
    kind: "stacked",
    series: [
      { label: "input", className: "s-input", values: series.input_tokens || [] },
      { label: "output", className: "s-output", values: series.output_tokens || [] },
    ],
    format: (value) => formatCount(value),
  });

  renderWorkspaces(status.busiest_workspaces || []);
  renderPlugins(status.plugins || []);
  renderJobs(jobs);
}

function emptyRow(columns, text) {
  const row = element("tr");
  const cell = element("td", "empty", text);
  cell.colSpan = columns;
  row.appendChild(cell);
  return row;
}

function renderWorkspaces(workspaces) {
  const body = $("workspaces").tBodies[0];
  if (!workspaces.length) return body.replaceChildren(emptyRow(3, "No requests in the last hour"));
  const most = Math.max(...workspaces.map((workspace) => workspace.requests || 0), 1);
  body.replaceChildren(
    ...workspaces.map((workspace) => {
      const row = element("tr");
      const name = element("td");
      name.append(element("span", "name", workspace.name || "(unnamed)"), element("span", "sub-id mono", workspace.workspace_id));
      const requests = element("td", "num");
      const share = element("div", "share");
      const bar = element("div", "share-bar");
      const barSVG = svg("svg", { viewBox: "0 0 100 6", preserveAspectRatio: "none" }, bar);
      svg("rect", { x: 0, y: 0, height: 6, width: Math.max(((workspace.requests || 0) / most) * 100, 1) }, barSVG);
      share.append(bar, element("span", null, formatCount(workspace.requests || 0)));
      requests.appendChild(share);
      row.append(name, requests, element("td", "num", formatCount(workspace.tokens || 0)));
      return row;
    }),
  );
}

function renderPlugins(plugins) {
  const body = $("plugins").tBodies[0];
  if (!plugins.length) return body.replaceChildren(emptyRow(5, "No plugin processes"));
  body.replaceChildren(
    ...plugins.map((plugin) => {
      const row = element("tr");
      const level = String(plugin.sandbox_level || "none");
      const sandbox = element("td");
      sandbox.appendChild(element("span", "badge badge-" + (["strict", "standard", "basic"].includes(level) ? level : "none"), level));
      const state = element("td");
      const indicator = element("span", "state " + (plugin.running ? "state-running" : "state-stopped"));
      indicator.append(element("span", "state-dot"), document.createTextNode(plugin.running ? "running" : "stopped"));
      state.appendChild(indicator);
      const install = element("td", "mono", shortID(plugin.install_id));
      install.title = plugin.install_id || "";
      const workspace = element("td", "mono", shortID(plugin.workspace_id));
      workspace.title = plugin.workspace_id || "";
      row.append(element("td", "name", plugin.plugin_id), install, workspace, sandbox, state);
      return row;
    }),
  );
}

function renderJobs(jobs) {
  const counts = { queued: jobs.queued || 0, running: jobs.running || 0, failed: jobs.failed || 0 };
  $("jobs-queued").textContent = formatCount(counts.queued);
  $("jobs-running").textContent = formatCount(counts.running);
  $("jobs-failed").textContent = formatCount(counts.failed);
  const total = counts.queued + counts.running + counts.failed;
  const bar = $("jobs-bar");
  bar.replaceChildren();
  let offset = 0;
  for (const state of ["running", "queued", "failed"]) {
    if (!total || !counts[state]) continue;
    const width = (counts[state] / total) * 100;
    svg("rect", { class: state, x: offset, y: 0, width, height: 8 }, bar);
    offset += width;
  }
}

// MARK: Polling

function showUpdated() {
  const label = $("updated");
  if (!lastUpdate) return (label.textContent = "");
  const seconds = Math.round((Date.now() - lastUpdate) / 1000);
  label.textContent = seconds < 2 ? "Updated just now" : "Updated " + seconds + " s ago";
  label.classList.toggle("stale", seconds > (POLL_MS / 1000) * 3);
}

async function poll() {
  clearTimeout(pollTimer);
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (!key) return showSignIn();
  try {
    const response = await fetch(STATUS_URL, { headers: { Authorization: "Bearer " + key, Accept: "application/json" }, cache: "no-store" });
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(KEY_STORAGE);
      let message = "";
      try {
        message = (await response.json()).message || "";
      } catch {}
      return showSignIn("The key was refused (" + response.status + ")" + (message ? ": " + message : "."));
    }
    if (!response.ok) throw new Error("status " + response.status);
    lastStatus = await response.json();
    lastUpdate = Date.now();
    showDashboard();
    render(lastStatus);
    showUpdated();
    document.body.dataset.rendered = String(lastUpdate);
  } catch (error) {
    $("updated").textContent = "Relay did not answer (" + error.message + "); retrying";
    $("updated").classList.add("stale");
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

function showSignIn(message) {
  clearTimeout(pollTimer);
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("updated").textContent = "";
  const error = $("key-error");
  error.hidden = !message;
  error.textContent = message || "";
  $("key").focus();
}

function showDashboard() {
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  $("sign-out").hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("key").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    $("key").value = "";
    poll();
  });
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    lastStatus = null;
    lastUpdate = null;
    showSignIn();
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => lastStatus && render(lastStatus), 150);
  });
  setInterval(showUpdated, 1000);
  poll();
});
