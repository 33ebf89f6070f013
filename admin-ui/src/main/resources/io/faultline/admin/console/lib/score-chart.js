// An orchestration's resilience scores over time on uPlot: one dot per scored run (failed runs in red),
// and the API's fitted line dashed across them when it gives one. The score axis is always 0..100.

import uPlot from '../vendor/uplot/uPlot.esm.js';

const HEIGHT = 220;
const INK = '#5b6675';

/** Time-axis steps in seconds: from a second (runs a moment apart) to a year. */
const INCRS = [1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400];

/** A tick's label, as fine as its step: 14:03:05, 14:03, or Nov 30. */
function tick(seconds, step) {
  const d = new Date(seconds * 1000);
  if (step >= 86_400) {
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  }
  const pad = n => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return step >= 60 ? time : `${time}:${pad(d.getSeconds())}`;
}

/** The runs' time span with a little room at both ends, so that no dot sits on the edge. */
function span(u, min, max) {
  // from the data itself: with a single run uPlot hands no min and max, and the axis showed 1970 (Jan 1)
  const xs = ((u.data && u.data[0]) || []).filter(v => v !== null && v !== undefined);
  if (xs.length > 0) {
    min = Math.min(...xs);
    max = Math.max(...xs);
  }
  if (min === null || min === undefined || max === null || max === undefined) {
    const now = Date.now() / 1000;
    return [now - 3600, now + 3600];
  }
  const pad = min === max ? 3600 : Math.max((max - min) * 0.04, 1);
  return [min - pad, max + pad];
}

/** A dot per point, no line between them. */
const dots = (stroke, fill) => ({ stroke, width: 0, paths: () => null, points: { show: true, size: 9, width: 2, stroke, fill } });

export class ScoreChart {
  constructor(el) {
    this.el = el;
    this.resize = new ResizeObserver(() => {
      if (this.plot && this.el.clientWidth > 0) {
        this.plot.setSize({ width: this.el.clientWidth, height: HEIGHT });
      }
    });
    this.resize.observe(el);
  }

  /**
   * points: [{started_at, status, resilience_score}] oldest first; line: [[ms, score], [ms, score]] or null.
   * Runs without a score are left out.
   */
  show(points, line) {
    const scored = points.filter(p => p.resilience_score !== null && p.resilience_score !== undefined);
    const times = scored.map(p => p.started_at / 1000);
    const ok = scored.map(p => (p.status === 'failed' ? null : p.resilience_score));
    const failed = scored.map(p => (p.status === 'failed' ? p.resilience_score : null));
    const fitted = scored.map(() => null);
    if (line && scored.length) {
      fitted[0] = line[0][1];
      fitted[fitted.length - 1] = line[1][1];
    }
    this.destroy();
    const score = (u, v) => (v === null || v === undefined ? '–' : v.toFixed(1));
    this.plot = new uPlot({
      width: this.el.clientWidth || 300,
      height: HEIGHT,
      scales: { x: { time: true, range: span }, y: { range: [0, 100] } },
      series: [{ value: (u, v) => (v ? new Date(v * 1000).toLocaleString() : '–') },
        { label: 'score', value: score, ...dots('#1d5fd1', '#1d5fd1') },
        { label: 'score (failed run)', value: score, ...dots('#b42318', '#fde2df') },
        { label: 'fitted line', value: score, stroke: '#a15c07', width: 2, dash: [6, 4], spanGaps: true, points: { show: false } }],
      axes: [{ stroke: INK, grid: { stroke: '#eef1f5' }, space: 70, incrs: INCRS,
        values: (u, splits, axis, space, step) => splits.map(s => tick(s, step)) },
        { stroke: INK, size: 44, grid: { stroke: '#eef1f5' }, splits: () => [0, 25, 50, 75, 100] }],
      legend: { show: true, live: true },
      cursor: { y: false },
      // the time axis's span once drawn, in seconds: what the page shows, for a reader (and a test) to check
      hooks: { draw: [u => { this.el.dataset.xRange = `${Math.round(u.scales.x.min)},${Math.round(u.scales.x.max)}`; }] },
    }, [times, ok, failed, fitted], this.el);
    this.el.dataset.points = String(scored.length);
  }

  destroy() {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
  }

  close() {
    this.destroy();
    this.resize.disconnect();
  }
}
