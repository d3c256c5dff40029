// The soak's chart: panels stacked over one time axis (seconds into the run), with the fault
// windows shaded across all of them and the clock moves ticked. Hand-written SVG like the
// benchmarks' charts (bench/chart.ts), so the image is plain text that diffs and renders as is.
import { compactNumber, escape, niceStep } from '../bench/chart';

export interface TimePoint {
  /** Seconds into the run. */
  t: number;
  y: number;
}

export interface TimeSeries {
  label: string;
  color: string;
  points: TimePoint[];
  dashed?: boolean;
}

export interface TimePanel {
  title: string;
  yLabel: string;
  series: TimeSeries[];
  /** A logarithmic y axis (latency spans milliseconds to seconds). */
  logY?: boolean;
  height: number;
}

/** A shaded window across every panel, e.g. a fault in force. */
export interface TimeBand {
  from: number;
  to: number;
  label: string;
}

export interface TimeChart {
  title: string;
  subtitle?: string;
  panels: TimePanel[];
  bands: TimeBand[];
  /** Small ticks under the first panel, e.g. the moments every clock moved. */
  ticks: { t: number; label: string }[];
  /** The end of the time axis, in seconds. */
  duration: number;
  /** Points of a series farther apart than this (seconds) are not joined by a line. */
  gap?: number;
}

const WIDTH = 1100;
const PAD = { left: 78, right: 24, top: 34, bottom: 40 };
const HEADER = 62;
const LEGEND = 28;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const BAND_FILL = '#f59e0b';

const f = (n: number) => n.toFixed(1);

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  xOf(t: number): number;
  yOf(y: number): number;
  yTicks: number[];
}

function frame(chart: TimeChart, panel: TimePanel, top: number): Frame {
  const left = PAD.left;
  const width = WIDTH - PAD.left - PAD.right;
  const plotTop = top + PAD.top;
  const height = panel.height - PAD.top - PAD.bottom;
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y));
  const xOf = (t: number) => left + (t / chart.duration) * width;
  if (panel.logY) {
    const low = Math.floor(Math.log10(Math.max(0.1, Math.min(...ys.filter((y) => y > 0), 1))));
    const high = Math.ceil(Math.log10(Math.max(10, ...ys)));
    const yTicks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
    const yOf = (y: number) =>
      plotTop + height - ((Math.log10(Math.max(y, 10 ** low)) - low) / (high - low)) * height;
    return { left, top: plotTop, width, height, xOf, yOf, yTicks };
  }
  const max = Math.max(1, ...ys) * 1.05;
  const step = niceStep(max, 4);
  const yTop = Math.ceil(max / step) * step;
  const yTicks: number[] = [];
  for (let tick = 0; tick <= yTop + step / 2; tick += step) yTicks.push(tick);
  const yOf = (y: number) => plotTop + height - (y / yTop) * height;
  return { left, top: plotTop, width, height, xOf, yOf, yTicks };
}

function panelSvg(chart: TimeChart, panel: TimePanel, top: number, first: boolean): string[] {
  const fr = frame(chart, panel, top);
  const bottom = fr.top + fr.height;
  const out: string[] = [];
  for (const band of chart.bands) {
    const x = fr.xOf(band.from);
    const w = Math.max(2, fr.xOf(band.to) - x);
    out.push(
      `<rect x="${f(x)}" y="${fr.top}" width="${f(w)}" height="${fr.height}" fill="${BAND_FILL}" fill-opacity="0.18"/>`,
    );
    if (first) {
      const lx = f(x + Math.min(w, 14) / 2 + 4);
      out.push(
        `<text x="${lx}" y="${fr.top + 6}" font-size="10" fill="#92400e" transform="rotate(90 ${lx} ${fr.top + 6})">${escape(band.label)}</text>`,
      );
    }
  }
  for (const tick of fr.yTicks) {
    const y = f(fr.yOf(tick));
    out.push(
      `<line x1="${fr.left}" y1="${y}" x2="${fr.left + fr.width}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${fr.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#444">${escape(compactNumber(tick))}</text>`,
    );
  }
  const xStep = niceStep(chart.duration, 12);
  for (let t = 0; t <= chart.duration + 1e-9; t += xStep) {
    const x = f(fr.xOf(t));
    out.push(
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#444"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="#444">${escape(String(Math.round(t * 10) / 10))}</text>`,
    );
  }
  if (first) {
    for (const tick of chart.ticks) {
      const x = f(fr.xOf(tick.t));
      out.push(
        `<path d="M${x} ${bottom} l-4 -7 h8 z" fill="#6b7280"><title>${escape(tick.label)}</title></path>`,
      );
    }
  }
  const middle = f(fr.top + fr.height / 2);
  out.push(
    `<rect x="${fr.left}" y="${fr.top}" width="${fr.width}" height="${fr.height}" fill="none" stroke="#888"/>`,
    `<text x="${fr.left}" y="${fr.top - 10}" font-size="13" font-weight="bold" fill="#222">${escape(panel.title)}</text>`,
    `<text x="${fr.left + fr.width / 2}" y="${bottom + 32}" text-anchor="middle" font-size="11" fill="#222">seconds into the run</text>`,
    `<text x="${fr.left - 56}" y="${middle}" text-anchor="middle" font-size="12" fill="#222" transform="rotate(-90 ${fr.left - 56} ${middle})">${escape(panel.yLabel)}</text>`,
  );
  for (const series of panel.series) {
    if (series.points.length === 0) continue;
    // A point farther from the previous one than `gap` starts a new line: no data in between.
    const d = series.points
      .map((p, i) => {
        const joined = i > 0 && p.t - series.points[i - 1].t <= (chart.gap ?? Infinity);
        return `${joined ? 'L' : 'M'}${f(fr.xOf(p.t))} ${f(fr.yOf(p.y))}`;
      })
      .join(' ');
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.8" stroke-linejoin="round"${dash}/>`,
    );
  }
  out.push(...legend(panel.series, fr.left + fr.width, fr.top - 10));
  return out;
}

/** The panel's legend, right-aligned on its title line. */
function legend(series: TimeSeries[], right: number, y: number): string[] {
  const widths = series.map((s) => 34 + s.label.length * 6.5 + 16);
  let x = right - widths.reduce((sum, w) => sum + w, 0);
  return series.flatMap((s, i) => {
    const at = x;
    x += widths[i];
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    return [
      `<line x1="${f(at)}" y1="${y - 4}" x2="${f(at + 26)}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${f(at + 32)}" y="${y}" font-size="11" fill="#222">${escape(s.label)}</text>`,
    ];
  });
}

/** The whole chart as an SVG document. */
export function timeChartSvg(chart: TimeChart): string {
  const height = HEADER + LEGEND + chart.panels.reduce((sum, p) => sum + p.height, 0);
  let top = HEADER + LEGEND;
  const body = chart.panels.flatMap((panel, i) => {
    const svg = panelSvg(chart, panel, top, i === 0);
    top += panel.height;
    return svg;
  });
  const note = `shaded: fault windows · ▼ every clock moved (${chart.ticks.length} times)`;
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
      `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
      `<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold" fill="#111">${escape(chart.title)}</text>`,
      ...(chart.subtitle
        ? [
            `<text x="${WIDTH / 2}" y="46" text-anchor="middle" font-size="12" fill="#555">${escape(chart.subtitle)}</text>`,
          ]
        : []),
      `<text x="${WIDTH / 2}" y="${HEADER + 12}" text-anchor="middle" font-size="11" fill="#555">${escape(note)}</text>`,
      ...body,
      '</svg>',
    ].join('\n') + '\n'
  );
}
