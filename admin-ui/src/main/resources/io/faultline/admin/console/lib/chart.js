// A live time-series chart on uPlot (served from its webjar): the last WINDOW seconds, one line per
// series, resized with its container. A series set that changes (a new fault type) redraws the chart.

import uPlot from '../vendor/uplot/uPlot.esm.js';

const WINDOW_S = 120;
const HEIGHT = 150;
const COLORS = ['#1d5fd1', '#d1461d', '#18794e', '#8a4fd1', '#a15c07', '#0f8a8a', '#c2185b', '#5b6675'];

/** x-axis ticks: 14:05 on the minute, :20 between. */
function tick(seconds) {
  const d = new Date(seconds * 1000);
  const pad = n => String(n).padStart(2, '0');
  return d.getSeconds() === 0 ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : `:${pad(d.getSeconds())}`;
}

export class TimeChart {
  /** format: how values read on the axis and in the legend (a number to text); the y axis reaches at least minTop. */
  constructor(el, format, minTop) {
    this.el = el;
    this.format = format;
    this.minTop = minTop;
    this.labels = [];
    this.times = [];
    this.columns = [];
    this.resize = new ResizeObserver(() => {
      if (this.plot && this.el.clientWidth > 0) {
        this.plot.setSize({ width: this.el.clientWidth, height: HEIGHT });
      }
    });
    this.resize.observe(el);
  }

  /**
   * Adds one point per series at atMs: values maps a series label to its value (null: no value).
   * Labels seen before and missing now read 0, new labels start now.
   */
  push(atMs, values) {
    const labels = [...new Set([...this.labels, ...Object.keys(values)])];
    if (labels.length !== this.labels.length) {
      this.columns = labels.map((label, i) => this.labels.includes(label)
        ? this.columns[this.labels.indexOf(label)] : this.times.map(() => null));
      this.labels = labels;
      this.redraw();
    }
    this.times.push(atMs / 1000);
    this.labels.forEach((label, i) => this.columns[i].push(label in values ? values[label] : 0));
    while (this.times.length && this.times[0] < atMs / 1000 - WINDOW_S) {
      this.times.shift();
      this.columns.forEach(c => c.shift());
    }
    if (this.plot) {
      this.plot.setData([this.times, ...this.columns]);
    }
    this.el.dataset.points = this.times.length; // how much the chart holds, for whoever reads the page
  }

  redraw() {
    if (this.plot) {
      this.plot.destroy();
    }
    const fmt = (u, v) => (v === null || v === undefined ? '–' : this.format(v));
    this.plot = new uPlot({
      width: this.el.clientWidth || 300,
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max * 1.15, this.minTop)] } },
      series: [{ value: (u, v) => (v ? new Date(v * 1000).toLocaleTimeString() : '–') },
        ...this.labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, value: fmt, spanGaps: false }))],
      axes: [{ stroke: '#5b6675', grid: { stroke: '#eef1f5' }, values: (u, ticks) => ticks.map(tick) },
        { stroke: '#5b6675', size: 64, grid: { stroke: '#eef1f5' }, values: (u, ticks) => ticks.map(t => this.format(t)) }],
      legend: { show: true, live: true },
      cursor: { y: false },
    }, [this.times, ...this.columns], this.el);
  }

  destroy() {
    this.resize.disconnect();
    if (this.plot) {
      this.plot.destroy();
    }
  }
}
