// Charts drawn with uPlot (vendored in /vendor/uplot, MIT). Series are rebuilt when their set changes, else only the data.
/* global uPlot */
export const PALETTE = ["#4ea1ff", "#3fb950", "#d29922", "#a371f7", "#f778ba", "#39c5cf", "#f0883e", "#8b98a5"];

const AXIS = { stroke: "#8b98a5", grid: { stroke: "#26313d", width: 1 }, ticks: { stroke: "#26313d", width: 1 }, font: "11px system-ui, sans-serif" };

function size(el) { return { width: Math.max(200, el.clientWidth), height: el.clientWidth < 500 ? 180 : 220 }; }

class Chart {
  /** @param integers the values are counts: whole-number ticks only */
  constructor(el, format, integers = false) {
    this.el = el; this.format = format; this.integers = integers; this.plot = null; this.signature = "";
    new ResizeObserver(() => this.plot && this.plot.setSize(size(this.el))).observe(el);
  }

  draw(signature, options, data) {
    if (this.plot && signature === this.signature) { this.plot.setData(data); return; }
    this.plot?.destroy();
    this.el.innerHTML = "";
    this.signature = signature;
    this.plot = new uPlot({ ...size(this.el), ...options }, data, this.el);
  }

  empty(message) {
    this.plot?.destroy(); this.plot = null; this.signature = "";
    this.el.innerHTML = `<p class="muted chart-empty">${message}</p>`;
  }
}

const timeAxis = () => ({ ...AXIS });
// Half a bucket of room at each end, so the first and last bars (and points) are drawn whole.
const timeScale = (times) => {
  const half = times.length > 1 ? (times[1] - times[0]) / 2 : 30;
  return { time: true, range: (u, min, max) => [min - half, max + half] };
};
// Wide enough for the longest label ("$0.000300"), at about 7 px a character.
const valueAxis = (format, integers) => ({
  ...AXIS,
  values: (u, ticks) => ticks.map(format),
  size: (u, values) => 18 + 7 * Math.max(3, ...(values || []).map((v) => String(v).length)),
  ...(integers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6] } : {}),
});

/**
 * Stacked bars: one group per series, each bucket's bar split by group. Drawn as cumulative bars, largest first,
 * so each group shows as its own band; the legend shows each group's own value.
 */
export class StackedBars extends Chart {
  update(times, groups, emptyMessage = "No calls in this range yet.") {
    if (!groups.length) { this.empty(emptyMessage); return; }
    const cumulative = [];
    groups.forEach((g, i) => cumulative.push(g.values.map((v, j) => (v || 0) + (i ? cumulative[i - 1][j] : 0))));
    const order = groups.map((_, i) => groups.length - 1 - i); // the top of the stack first
    const bars = uPlot.paths.bars({ size: [0.8, 48], gap: 1 });
    const series = [{ value: (u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleString([], { hour12: false })) }].concat(order.map((gi) => ({
      label: groups[gi].label,
      stroke: PALETTE[gi % PALETTE.length],
      fill: PALETTE[gi % PALETTE.length],
      width: 0,
      paths: bars,
      points: { show: false },
      value: (u, v, si, idx) => (idx == null ? "–" : this.format(groups[gi].values[idx] || 0)),
    })));
    const options = {
      series,
      axes: [timeAxis(), valueAxis(this.format, this.integers)],
      scales: { x: timeScale(times), y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      legend: { live: true },
      cursor: { points: { show: false } },
    };
    this.draw(groups.map((g) => g.label).join("\u0000"), options, [times, ...order.map((gi) => cumulative[gi])]);
  }
}

/** Lines (latency percentiles, spend against a limit). */
export class Lines extends Chart {
  update(times, lines, emptyMessage = "No data in this range yet.") {
    if (!times.length || lines.every((l) => l.values.every((v) => v == null))) { this.empty(emptyMessage); return; }
    const options = {
      series: [{}].concat(lines.map((l, i) => ({
        label: l.label,
        stroke: l.color || PALETTE[i % PALETTE.length],
        width: 2,
        dash: l.dash,
        fill: l.fill,
        spanGaps: !!l.spanGaps,
        points: { size: 7, fill: l.color || PALETTE[i % PALETTE.length] },
        value: (u, v) => (v == null ? "–" : this.format(v)),
      }))),
      axes: [timeAxis(), valueAxis(this.format, this.integers)],
      scales: { x: timeScale(times), y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    };
    this.draw(lines.map((l) => l.label).join("\u0000"), options, [times, ...lines.map((l) => l.values)]);
  }
}

/** Every bucket start of the window, in seconds (uPlot's x), so empty buckets show as zero rather than being skipped. */
export function bucketTimes(window) {
  const times = [];
  const start = Math.floor(new Date(window.from).getTime() / window.step) * window.step;
  for (let t = start; t < new Date(window.to).getTime(); t += window.step) times.push(t / 1000);
  return times;
}

/**
 * Groups breakdown points ({start, key, ...}) into series over the given bucket times, the most significant groups
 * first; <label> names a group key for the legend (an agent id by its name).
 */
export function groupSeries(times, points, metric, label = (key) => key, maxGroups = 7) {
  const index = new Map(times.map((t, i) => [t, i]));
  const byKey = new Map();
  for (const p of points) {
    const i = index.get(new Date(p.start).getTime() / 1000);
    if (i === undefined) continue;
    if (!byKey.has(p.key)) byKey.set(p.key, new Array(times.length).fill(0));
    byKey.get(p.key)[i] += Number(p[metric]) || 0;
  }
  let groups = [...byKey.entries()].map(([key, values]) => ({ key, label: key ? label(key) : "(none)", values, total: values.reduce((s, v) => s + v, 0) }))
    .sort((a, b) => b.total - a.total);
  if (groups.length > maxGroups) {
    const rest = groups.slice(maxGroups - 1);
    groups = groups.slice(0, maxGroups - 1).concat([{ key: "", label: "other", values: times.map((_, i) => rest.reduce((s, g) => s + g.values[i], 0)) }]);
  }
  return groups;
}
