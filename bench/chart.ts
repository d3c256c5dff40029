// A small SVG line-chart writer for the benchmark reports: panels side by side that share a
// logarithmic x axis, each with its own linear y axis from 0. Written by hand, so that the
// benchmarks need no charting dependency and the image is plain text that diffs and renders on
// GitHub as it is.

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  /** A CSS colour; the same series should keep its colour in every panel. */
  color: string;
  /** Points with x > 0 (the x axis is logarithmic), in increasing x. */
  points: Point[];
  /** A dashed line, for a second measure of the same thing in one panel. */
  dashed?: boolean;
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

/** A vertical dashed line across every panel, e.g. a capacity. */
export interface Marker {
  x: number;
  label: string;
}

export interface LineChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  /** How a tick value of the x axis reads, e.g. 10000 as "10k". */
  formatX?: (x: number) => string;
  /** How a tick value of a y axis reads. */
  formatY?: (y: number) => string;
  panels: Panel[];
  markers?: Marker[];
}

const PANEL_WIDTH = 480;
const PANEL_HEIGHT = 300;
// Room around each panel's plot for its title, tick labels and axis labels.
const PAD = { left: 70, right: 24, top: 36, bottom: 54 };
const HEADER = 64;
const LEGEND = 34;
const Y_TICKS = 6;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Escapes text for SVG content and attribute values. */
export function escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const fixed = (n: number) => n.toFixed(1);

/** 1, 2, 2.5 or 5 times a power of ten: tick steps a reader can add up at a glance. */
export function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  return step ?? 10 * power;
}

/** Every power of ten from below the smallest x to above the largest. */
function decades(xs: number[]): number[] {
  const low = Math.floor(Math.log10(Math.min(...xs)));
  const high = Math.ceil(Math.log10(Math.max(...xs)));
  const powers: number[] = [];
  for (let p = low; p <= high; p++) powers.push(10 ** p);
  return powers;
}

/** A compact number: 1, 10, 100, 1k, 10k, 100k, 1M. */
export function compactNumber(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

/** Where things go on one panel: maps data to pixels. */
interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  xOf(x: number): number;
  yOf(y: number): number;
}

function frameAt(left: number, top: number, xTicks: number[], yMax: number): Frame {
  const width = PANEL_WIDTH - PAD.left - PAD.right;
  const height = PANEL_HEIGHT - PAD.top - PAD.bottom;
  const x0 = left + PAD.left;
  const y0 = top + PAD.top;
  const [logMin, logMax] = [Math.log10(xTicks[0]), Math.log10(xTicks[xTicks.length - 1])];
  return {
    left: x0,
    top: y0,
    width,
    height,
    xOf: (x) => x0 + ((Math.log10(x) - logMin) / (logMax - logMin)) * width,
    yOf: (y) => y0 + height - (y / yMax) * height,
  };
}

/** Grid lines, ticks and tick labels of both axes, and the axis labels. */
function axes(
  frame: Frame,
  chart: LineChart,
  panel: Panel,
  xTicks: number[],
  y: { step: number; top: number },
) {
  const formatX = chart.formatX ?? compactNumber;
  const formatY = chart.formatY ?? ((y: number) => y.toLocaleString('en'));
  const out: string[] = [];
  const bottom = frame.top + frame.height;
  for (let tick = 0; tick <= y.top + y.step / 2; tick += y.step) {
    const py = fixed(frame.yOf(tick));
    out.push(
      `<line x1="${frame.left}" y1="${py}" x2="${frame.left + frame.width}" y2="${py}" stroke="#e3e3e3"/>`,
      `<text x="${frame.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#444">${escape(formatY(tick))}</text>`,
    );
  }
  for (const x of xTicks) {
    const px = fixed(frame.xOf(x));
    out.push(
      `<line x1="${px}" y1="${frame.top}" x2="${px}" y2="${bottom}" stroke="#eeeeee"/>`,
      `<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="#444"/>`,
      `<text x="${px}" y="${bottom + 18}" text-anchor="middle" font-size="11" fill="#444">${escape(formatX(x))}</text>`,
    );
  }
  const middleY = fixed(frame.top + frame.height / 2);
  out.push(
    `<rect x="${frame.left}" y="${frame.top}" width="${frame.width}" height="${frame.height}" fill="none" stroke="#888"/>`,
    `<text x="${fixed(frame.left + frame.width / 2)}" y="${frame.top - 14}" text-anchor="middle" font-size="14" font-weight="bold" fill="#222">${escape(panel.title)}</text>`,
    `<text x="${fixed(frame.left + frame.width / 2)}" y="${bottom + 40}" text-anchor="middle" font-size="12" fill="#222">${escape(chart.xLabel)}</text>`,
    `<text x="${frame.left - 54}" y="${middleY}" text-anchor="middle" font-size="12" fill="#222" transform="rotate(-90 ${frame.left - 54} ${middleY})">${escape(panel.yLabel)}</text>`,
  );
  return out;
}

/** The dashed vertical lines of the markers within the x axis, labelled at the top of the plot. */
function markerLines(frame: Frame, markers: Marker[], xTicks: number[]): string[] {
  const inRange = (x: number) => x >= xTicks[0] && x <= xTicks[xTicks.length - 1];
  return markers.flatMap(({ x, label }) => {
    if (!inRange(x)) return [];
    const px = fixed(frame.xOf(x));
    return [
      `<line x1="${px}" y1="${frame.top}" x2="${px}" y2="${frame.top + frame.height}" stroke="#999" stroke-dasharray="5 4"/>`,
      `<text x="${px}" y="${frame.top + 14}" text-anchor="end" font-size="10" fill="#666" dx="-4">${escape(label)}</text>`,
    ];
  });
}

/** One series: its line, and a marker on each point (a circle, or a square for the 2nd, ...). */
function seriesPath(frame: Frame, series: Series, index: number): string[] {
  const coords = series.points.map((p) => [frame.xOf(p.x), frame.yOf(p.y)] as const);
  const d = coords.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fixed(x)} ${fixed(y)}`).join(' ');
  const dots = coords.map(([x, y]) =>
    index % 2 === 0
      ? `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="4" fill="${series.color}"/>`
      : `<rect x="${fixed(x - 4)}" y="${fixed(y - 4)}" width="8" height="8" fill="${series.color}"/>`,
  );
  const dash = series.dashed ? ' stroke-dasharray="7 5"' : '';
  return [
    `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="2.5" stroke-linejoin="round"${dash}/>`,
    ...dots,
  ];
}

/** One panel at (left, top): axes, markers and its series. */
function panelSvg(
  chart: LineChart,
  panel: Panel,
  left: number,
  top: number,
  xTicks: number[],
): string[] {
  // Some room above the highest point, and a top tick no higher than needed to show it.
  const yData = Math.max(...panel.series.flatMap((s) => s.points.map((p) => p.y)), 1) * 1.05;
  const step = niceStep(yData, Y_TICKS);
  const yTop = Math.ceil(yData / step) * step;
  const frame = frameAt(left, top, xTicks, yTop);
  return [
    ...axes(frame, chart, panel, xTicks, { step, top: yTop }),
    ...markerLines(frame, chart.markers ?? [], xTicks),
    ...panel.series.flatMap((series, i) => seriesPath(frame, series, i)),
  ];
}

/** The legend, centred under the title: one entry per series of the first panel. */
function legend(series: Series[], width: number, top: number): string[] {
  // About what a character of 12 px Helvetica takes, plus the line sample and a gap.
  const widths = series.map((s) => 36 + s.label.length * 7 + 28);
  let x = width / 2 - widths.reduce((sum, w) => sum + w, 0) / 2;
  return series.flatMap((s, i) => {
    const at = x;
    x += widths[i];
    const mark =
      i % 2 === 0
        ? `<circle cx="${at + 14}" cy="${top}" r="4" fill="${s.color}"/>`
        : `<rect x="${at + 10}" y="${top - 4}" width="8" height="8" fill="${s.color}"/>`;
    return [
      `<line x1="${at}" y1="${top}" x2="${at + 28}" y2="${top}" stroke="${s.color}" stroke-width="2.5"/>`,
      mark,
      `<text x="${at + 36}" y="${top}" dominant-baseline="middle" font-size="12" fill="#222">${escape(s.label)}</text>`,
    ];
  });
}

/** The whole chart as an SVG document. */
export function lineChartSvg(chart: LineChart): string {
  const xs = chart.panels.flatMap((panel) => panel.series.flatMap((s) => s.points.map((p) => p.x)));
  if (xs.length === 0 || xs.some((x) => !(x > 0))) {
    throw new Error('a line chart needs points, and a log x axis needs every x > 0');
  }
  const xTicks = decades(xs);
  const width = PANEL_WIDTH * chart.panels.length;
  const height = HEADER + LEGEND + PANEL_HEIGHT;
  const body = chart.panels.flatMap((panel, i) =>
    panelSvg(chart, panel, i * PANEL_WIDTH, HEADER + LEGEND, xTicks),
  );
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
      `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
      `<text x="${width / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold" fill="#111">${escape(chart.title)}</text>`,
      ...(chart.subtitle === undefined
        ? []
        : [
            `<text x="${width / 2}" y="48" text-anchor="middle" font-size="12" fill="#555">${escape(chart.subtitle)}</text>`,
          ]),
      ...legend(chart.panels[0]?.series ?? [], width, HEADER + 10),
      ...body,
      '</svg>',
    ].join('\n') + '\n'
  );
}
