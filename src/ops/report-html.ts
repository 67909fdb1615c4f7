// The report as one self-contained HTML page: inline SVG charts (no scripts, fonts or CDNs), so it opens
// anywhere, offline, and can be mailed as is. Chart 1: daily mean score per source (and all sources);
// chart 2: daily label shares; then the same table the terminal prints.
import { mixLanguages, type LanguageMixDay } from './language-mix.js';
import { LABELS, type Label } from '../domain/sentiment.js';
import { addCounters, zeroCounters, type Counters } from '../domain/aggregation.js';
import { percent, signed, tableLines, type ReportQuery, type ReportRow } from './report-data.js';

/**
 * Colour-blind-safe (Okabe-Ito based) series colours, neighbours far apart in hue; green and vermillion,
 * which mean positive and negative in the shares chart, come last. They repeat beyond eight sources.
 */
const SOURCE_COLOURS = ['#0072B2', '#E69F00', '#CC79A7', '#6A3D9A', '#56B4E9', '#8C564B', '#009E73', '#D55E00'];
const TOTAL_COLOUR = '#222222';
const LABEL_COLOURS: Record<Label, string> = { negative: '#D55E00', neutral: '#BDBDBD', positive: '#009E73' };
export const ALL_SOURCES = 'all sources';

const WIDTH = 960;
const HEIGHT = 360;
const MARGIN = { top: 20, right: 20, bottom: 52, left: 72 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const DAY_MS = 86_400_000;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number) => Number(n.toFixed(2)).toString();

/** Every day from the first to the last with data (gaps included, so the x axis is real time). */
function dayAxis(rows: readonly ReportRow[]): string[] {
  const known = rows.map((r) => r.day).sort();
  const days: string[] = [];
  for (let t = Date.parse(known[0]); t <= Date.parse(known[known.length - 1]); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

function totalsByDay(rows: readonly ReportRow[]): Map<string, Counters> {
  const totals = new Map<string, Counters>();
  for (const row of rows) {
    const t = totals.get(row.day) ?? zeroCounters();
    addCounters(t, row);
    totals.set(row.day, t);
  }
  return totals;
}

interface Series {
  name: string;
  colour: string;
  total: boolean;
  points: Array<{ day: string; mean: number; count: number }>;
}

function seriesOf(rows: readonly ReportRow[], totals: Map<string, Counters>): Series[] {
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const series: Series[] = sources.map((source, i) => ({
    name: source,
    colour: SOURCE_COLOURS[i % SOURCE_COLOURS.length],
    total: false,
    points: rows.filter((r) => r.source === source).map((r) => ({ day: r.day, mean: r.meanScore, count: r.count })),
  }));
  if (sources.length > 1) {
    const points = [...totals]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, t]) => ({ day, mean: t.scoreSum / t.count, count: t.count }));
    series.push({ name: ALL_SOURCES, colour: TOTAL_COLOUR, total: true, points });
  }
  return series;
}

/** Symmetric y range around 0, in quarter steps: small means are not squashed flat, 0 stays centred. */
function meanRange(series: Series[]): number {
  const largest = Math.max(...series.flatMap((s) => s.points.map((p) => Math.abs(p.mean))), 0);
  return Math.min(1, Math.max(0.25, Math.ceil(largest * 4) / 4));
}

function xScale(days: string[]): (day: string) => number {
  const index = new Map(days.map((d, i) => [d, i]));
  const step = PLOT_W / days.length;
  return (day) => MARGIN.left + (index.get(day)! + 0.5) * step;
}

/** At most ~12 day labels, evenly spaced. */
function xTicks(days: string[], x: (day: string) => number, plotBottom: number): string {
  const every = Math.max(1, Math.ceil(days.length / 12));
  return days
    .filter((_, i) => i % every === 0)
    .map(
      (day) =>
        `<g class="x-tick"><line x1="${fmt(x(day))}" x2="${fmt(x(day))}" ` +
        `y1="${plotBottom}" y2="${plotBottom + 5}" stroke="#666"/>` +
        `<text x="${fmt(x(day))}" y="${plotBottom + 18}" text-anchor="middle">${day.slice(5)}</text></g>`,
    )
    .join('');
}

function axisTitles(xTitle: string, yTitle: string): string {
  return (
    `<text class="axis-label x-label" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 10}" text-anchor="middle">` +
    `${escapeHtml(xTitle)}</text>` +
    `<text class="axis-label y-label" transform="translate(18 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" ` +
    `text-anchor="middle">${escapeHtml(yTitle)}</text>`
  );
}

export function meanChart(rows: readonly ReportRow[]): string {
  const days = dayAxis(rows);
  const series = seriesOf(rows, totalsByDay(rows));
  const range = meanRange(series);
  const x = xScale(days);
  const y = (v: number) => MARGIN.top + ((range - v) / (2 * range)) * PLOT_H;
  const bottom = MARGIN.top + PLOT_H;
  const yTicks = [-1, -0.5, 0, 0.5, 1]
    .map((f) => f * range)
    .map(
      (v) =>
        `<g class="y-tick"><line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" ` +
        `y1="${fmt(y(v))}" y2="${fmt(y(v))}" ` +
        `stroke="${v === 0 ? '#444' : '#e3e3e3'}" stroke-width="${v === 0 ? 1.5 : 1}"/>` +
        `<text x="${MARGIN.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${signed(v, 2)}</text></g>`,
    )
    .join('');
  const bands =
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${fmt(PLOT_H / 2)}" ` +
    'fill="#009E73" fill-opacity="0.05"/>' +
    `<rect x="${MARGIN.left}" y="${fmt(y(0))}" width="${PLOT_W}" height="${fmt(PLOT_H / 2)}" ` +
    'fill="#D55E00" fill-opacity="0.05"/>' +
    `<text class="band" x="${MARGIN.left + 6}" y="${MARGIN.top + 14}">more positive</text>` +
    `<text class="band" x="${MARGIN.left + 6}" y="${bottom - 6}">more negative</text>`;
  const lines = series
    .map((s) => {
      // Consecutive days join; a day without data breaks the line rather than drawing across it.
      const index = new Map(days.map((d, i) => [d, i]));
      let path = '';
      s.points.forEach((p, i) => {
        const joined = i > 0 && index.get(p.day)! - index.get(s.points[i - 1].day)! === 1;
        path += `${joined ? 'L' : 'M'}${fmt(x(p.day))} ${fmt(y(p.mean))}`;
      });
      const dots = s.points
        .map(
          (p) =>
            `<circle class="point" cx="${fmt(x(p.day))}" cy="${fmt(y(p.mean))}" r="${s.total ? 3 : 4}" ` +
            `fill="${s.colour}" data-day="${p.day}" data-mean="${p.mean}" data-count="${p.count}">` +
            `<title>${escapeHtml(s.name)} ${p.day}: mean ${signed(p.mean)} (${p.count} posts)</title></circle>`,
        )
        .join('');
      const dash = s.total ? ' stroke-dasharray="6 4"' : '';
      return (
        `<g class="series${s.total ? ' total' : ''}" data-source="${escapeHtml(s.name)}">` +
        `<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="${s.total ? 2.5 : 2}"${dash}/>${dots}</g>`
      );
    })
    .join('');
  const legend = series
    .map(
      (s) =>
        `<li class="legend-item" data-source="${escapeHtml(s.name)}"><svg width="28" height="12" aria-hidden="true">` +
        `<line x1="1" x2="27" y1="6" y2="6" stroke="${s.colour}" stroke-width="3"` +
        `${s.total ? ' stroke-dasharray="6 4"' : ''}/><circle cx="14" cy="6" r="3.5" fill="${s.colour}"/></svg>` +
        `${escapeHtml(s.name)}</li>`,
    )
    .join('');
  return (
    '<figure><figcaption>Daily mean sentiment score by source</figcaption>' +
    `<ul class="legend" id="mean-legend">${legend}</ul>` +
    '<svg id="mean-chart" role="img" aria-label="Daily mean sentiment score by source" ' +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">` +
    `${bands}${yTicks}<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#666"/>` +
    `${xTicks(days, x, bottom)}` +
    `${axisTitles('day (UTC)', 'mean score (-1 negative … +1 positive)')}${lines}</svg>` +
    '<p class="note">Mean score: the average over the day\'s posts of P(positive) − P(negative). ' +
    'A gap in a line is a day without posts; hover a point for its post count.</p></figure>'
  );
}

export function sharesChart(rows: readonly ReportRow[]): string {
  const days = dayAxis(rows);
  const totals = totalsByDay(rows);
  const x = xScale(days);
  const barWidth = Math.max(1, (PLOT_W / days.length) * 0.8);
  const y = (share: number) => MARGIN.top + (1 - share) * PLOT_H;
  const bottom = MARGIN.top + PLOT_H;
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<g class="y-tick"><line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" ` +
        `y1="${fmt(y(v))}" y2="${fmt(y(v))}" ` +
        'stroke="#e3e3e3"/>' +
        `<text x="${MARGIN.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${v * 100}%</text></g>`,
    )
    .join('');
  const bars = days
    .filter((day) => totals.has(day))
    .map((day) => {
      const t = totals.get(day)!;
      let below = 0; // negative at the bottom, neutral in the middle, positive on top
      return LABELS.map((label) => {
        const share = t[label] / t.count;
        const rect =
          `<rect class="share" data-day="${day}" data-label="${label}" data-share="${share}" ` +
          `x="${fmt(x(day) - barWidth / 2)}" y="${fmt(y(below + share))}" ` +
          `width="${fmt(barWidth)}" height="${fmt(share * PLOT_H)}" fill="${LABEL_COLOURS[label]}">` +
          `<title>${day} ${label}: ${t[label]} of ${t.count} (${percent(t[label], t.count)})</title></rect>`;
        below += share;
        return rect;
      }).join('');
    })
    .join('');
  const legend = [...LABELS]
    .reverse()
    .map(
      (label) =>
        `<li class="legend-item" data-label="${label}">` +
        `<span class="swatch" style="background:${LABEL_COLOURS[label]}"></span>${label}</li>`,
    )
    .join('');
  const scope = new Set(rows.map((r) => r.source)).size > 1 ? 'all sources' : escapeHtml(rows[0].source);
  return (
    `<figure><figcaption>Label shares per day (${scope})</figcaption>` +
    `<ul class="legend" id="shares-legend">${legend}</ul>` +
    '<svg id="shares-chart" role="img" aria-label="Label shares per day" ' +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">` +
    `${yTicks}${bars}<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#666"/>` +
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${bottom}" y2="${bottom}" stroke="#666"/>` +
    `${xTicks(days, x, bottom)}` +
    `${axisTitles('day (UTC)', 'share of posts')}</svg></figure>`
  );
}

function htmlTable(rows: readonly ReportRow[]): string {
  const [header, ...body] = tableLines(rows);
  return (
    `<table id="aggregates"><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    body
      .map(
        (cells) =>
          `<tr>${cells.map((c, i) => `<td${i >= 2 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

const STYLE =
  'body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;max-width:1000px}\n' +
  'h1{font-size:22px;margin:0 0 4px}.note{color:#555;font-size:13px;margin:2px 0 0}' +
  '.meta{color:#555;margin:0 0 16px}figure{margin:0 0 28px}' +
  'figcaption{font-weight:600;font-size:16px;margin-bottom:6px}\n' +
  'svg text{font:12px system-ui,sans-serif;fill:#333}svg .axis-label{font-size:13px;font-weight:600}' +
  'svg .band{fill:#777;font-style:italic}\n' +
  '.series:hover path{stroke-width:4}' +
  '.legend{list-style:none;padding:0;margin:0 0 6px;display:flex;flex-wrap:wrap;gap:6px 18px}\n' +
  '.legend-item{display:flex;align-items:center;gap:6px}' +
  '.swatch{display:inline-block;width:14px;height:14px;border-radius:2px}\n' +
  'table{border-collapse:collapse;font-variant-numeric:tabular-nums}' +
  'th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}td.num{text-align:right}\n' +
  'th{background:#f4f4f4}.empty{padding:40px;border:1px dashed #bbb;color:#555;text-align:center}';

/** The language mix as a table: one row per day, a column per detected language. */
function languageMixTable(days: readonly LanguageMixDay[]): string {
  if (days.length === 0) return '';
  const languages = mixLanguages(days);
  const head = `<tr><th>day</th><th>posts</th>${languages.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>`;
  const body = days
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.day)}</td><td>${d.count}</td>` +
        `${languages.map((l) => `<td>${d.languages[l] ?? 0}</td>`).join('')}</tr>`,
    )
    .join('');
  return (
    '<h2>Language mix</h2><p class="meta">Scored posts per detected language (ISO 639-3; und = undetermined)</p>' +
    `<table>${head}${body}</table>`
  );
}

export function renderReportHtml(
  rows: readonly ReportRow[],
  query: ReportQuery,
  generatedAt = new Date(),
  languageMix: readonly LanguageMixDay[] = [],
): string {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const posts = rows.reduce((n, r) => n + r.count, 0);
  const range =
    days.length > 0 ? `${days[0]} to ${days[days.length - 1]}` : `${query.from ?? '…'} to ${query.to ?? '…'}`;
  const sources = query.source
    ? `source ${escapeHtml(query.source)}`
    : `${new Set(rows.map((r) => r.source)).size} sources`;
  const meta = `${escapeHtml(range)} · ${sources} · ${posts} posts · generated ${generatedAt.toISOString()}`;
  const body =
    rows.length === 0
      ? '<p class="empty">No aggregates in this range.</p>'
      : `${meanChart(rows)}${sharesChart(rows)}<h2>Aggregates</h2>${htmlTable(rows)}${languageMixTable(languageMix)}`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>Sentiment report ${escapeHtml(range)}</title><style>${STYLE}</style></head>` +
    `<body><h1>Sentiment report</h1><p class="meta">${meta}</p>${body}</body></html>\n`
  );
}
