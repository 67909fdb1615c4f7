// report on the emulators: the terminal table matches the aggregates, and `report --out` writes a
// self-contained page that headless Chromium renders with the expected chart (series, points, legend).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startStack, type TestStack } from '../support/stack.js';
import { ingestPosts } from '../../src/producer/ingest.js';
import { loadConfig } from '../../src/config.js';
import { loadReportRows } from '../../src/ops/report-data.js';
import { MISSING_MODEL_DIR, runOps } from '../support/cli.js';
import { runPipeline } from '../support/pipeline.js';
import { makePosts } from '../support/posts.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ODD_SOURCE = '<b>&"odd';

describe('ops report', () => {
  let stack: TestStack;
  let dir: string;
  let restoreModelDir: string | undefined;
  before(async () => {
    restoreModelDir = process.env.MODEL_DIR;
    process.env.MODEL_DIR = MISSING_MODEL_DIR;
    stack = await startStack();
    dir = await mkdtemp(join(tmpdir(), 'ops-report-'));
    const posts = [
      ...makePosts(45, { prefix: 'report', days: 3 }),
      { postId: 'odd-1', text: 'great great great', createdAt: '2024-05-02T10:00:00Z', source: ODD_SOURCE },
    ];
    await ingestPosts(posts, { postsTable: stack.stage.tables.posts, queueUrl: stack.stage.queues.classify.url });
    const { createClassifyBatch } = await import('../../src/pipeline/classify.js');
    const { createAggregateBatch } = await import('../../src/pipeline/aggregate.js');
    await runPipeline(stack, { classify: createClassifyBatch(), aggregate: createAggregateBatch() });
  });
  after(async () => {
    await stack?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (restoreModelDir === undefined) delete process.env.MODEL_DIR;
    else process.env.MODEL_DIR = restoreModelDir;
  });

  it('prints one line per source and day with counts, label shares and the mean score', async () => {
    const rows = await loadReportRows(loadConfig());
    assert.equal(rows.length, 10); // 3 sources x 3 days, and the odd source on one day
    assert.equal(
      rows.reduce((n, r) => n + r.count, 0),
      46,
    );

    const all = await runOps(stack, ['report']);
    assert.equal(all.code, 0, all.stderr);
    const [aggregatesPart, mixPart] = all.stdout.split('\n\nLanguage mix');
    const lines = aggregatesPart.trim().split('\n');
    assert.match(lines[0], /^source\s+day\s+count\s+negative\s+neutral\s+positive\s+mean score$/);
    assert.equal(lines.length, 2 + rows.length);
    const twitter = rows.find((r) => r.source === 'twitter' && r.day === '2024-05-02')!;
    const expected =
      `twitter\\s+2024-05-02\\s+${twitter.count}\\s+` +
      `${twitter.negative} \\(\\d+%\\)\\s+${twitter.neutral} \\(\\d+%\\)\\s+${twitter.positive} \\(\\d+%\\)\\s+` +
      `\\${twitter.meanScore >= 0 ? '+' : '-'}${Math.abs(twitter.meanScore).toFixed(3)}`;
    assert.match(all.stdout, new RegExp(expected));

    const filtered = await runOps(stack, [
      'report',
      '--source',
      'twitter',
      '--from',
      '2024-05-02',
      '--to',
      '2024-05-03',
    ]);
    assert.equal(filtered.code, 0, filtered.stderr);
    const dataLines = filtered.stdout.split('\n\nLanguage mix')[0].trim().split('\n').slice(2);
    assert.deepEqual(
      dataLines.map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
      ['twitter 2024-05-02', 'twitter 2024-05-03'],
    );

    // The language mix: posts per detected language per day, from the results, in the same range.
    const mixLines = mixPart.trim().split('\n').slice(1); // after the title
    assert.match(mixLines[0], /^day\s+posts\s+\S+/);
    const mixDays = mixLines.slice(2).map((l) => l.split(/\s+/));
    assert.deepEqual(
      mixDays.map((cells) => cells[0]),
      ['2024-05-01', '2024-05-02', '2024-05-03'],
    );
    for (const cells of mixDays) {
      const perDay = rows.filter((r) => r.day === cells[0]).reduce((n, r) => n + r.count, 0);
      assert.equal(Number(cells[1]), perDay, `${cells[0]} posts`);
      assert.equal(
        cells.slice(2).reduce((n, c) => n + Number(c), 0),
        perDay,
        `${cells[0]} languages add up`,
      );
    }
    const filteredMix = filtered.stdout
      .split('Language mix')[1]
      .trim()
      .split('\n')
      .slice(3)
      .map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(filteredMix, ['2024-05-02', '2024-05-03']);

    const bad = await runOps(stack, ['report', '--from', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from must be YYYY-MM-DD/);
  });

  it('writes a self-contained HTML page that Chromium renders with the chart', {
    skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install -y chromium)`,
  }, async () => {
    const out = join(dir, 'report.html');
    const run = await runOps(stack, ['report', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const html = await readFile(out, 'utf8');
    assert.doesNotMatch(html, /<script|<link|@import|url\(|\bsrc=|https?:\/\//i, 'no external or scripted resources');

    const rows = await loadReportRows(loadConfig());
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(out).href);
      assert.deepEqual(requests, [pathToFileURL(out).href], 'the page loads nothing else');

      const chart = await page.evaluate(() => {
        const series = [...document.querySelectorAll('#mean-chart g.series')].map((g) => ({
          source: g.getAttribute('data-source'),
          points: [...g.querySelectorAll('circle.point')].map((c) => ({
            day: c.getAttribute('data-day'),
            mean: Number(c.getAttribute('data-mean')),
          })),
          hasLine: (g.querySelector('path')?.getAttribute('d') ?? '').length > 0,
          colour: g.querySelector('path')?.getAttribute('stroke') ?? '',
        }));
        return {
          series,
          legend: [...document.querySelectorAll('#mean-legend .legend-item')].map((li) => li.textContent),
          axisLabels: [...document.querySelectorAll('#mean-chart .axis-label')].map((t) => t.textContent),
          shares: document.querySelectorAll('#shares-chart rect.share').length,
          shareLegend: [...document.querySelectorAll('#shares-legend .legend-item')].map((li) => li.textContent),
          tableRows: document.querySelectorAll('#aggregates tbody tr').length,
          injected: document.querySelectorAll('body b').length,
        };
      });
      const sources = [...new Set(rows.map((r) => r.source))].sort();
      assert.deepEqual(
        chart.series.map((s) => s.source),
        [...sources, 'all sources'],
      );
      assert.deepEqual(chart.legend, [...sources, 'all sources']);
      assert.ok(chart.legend.includes(ODD_SOURCE), 'source names are shown as text');
      assert.equal(chart.injected, 0, 'source names are escaped, not markup');
      for (const row of rows) {
        const point = chart.series.find((s) => s.source === row.source)!.points.find((p) => p.day === row.day);
        assert.ok(point, `point for ${row.source} ${row.day}`);
        assert.ok(Math.abs(point.mean - row.meanScore) < 1e-9);
      }
      assert.deepEqual(
        chart.series.find((s) => s.source === 'all sources')!.points.map((p) => p.day),
        ['2024-05-01', '2024-05-02', '2024-05-03'],
      );
      assert.ok(chart.series.every((s) => s.hasLine));
      assert.deepEqual(chart.axisLabels, ['day (UTC)', 'mean score (-1 negative … +1 positive)']);
      assert.equal(chart.shares, 9); // 3 days x 3 labels
      assert.deepEqual(chart.shareLegend, ['positive', 'neutral', 'negative']);
      assert.equal(chart.tableRows, rows.length);

      // The screenshot is a picture, not a blank page: decode it in the browser and look at the pixels.
      const png = await (await page.$('#mean-chart'))!.screenshot();
      const twitterColour = chart.series.find((s) => s.source === 'twitter')!.colour;
      const pixels = await page.evaluate(
        async ({ base64, colour }) => {
          const image = new Image();
          image.src = `data:image/png;base64,${base64}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d')!;
          context.drawImage(image, 0, 0);
          const { data } = context.getImageData(0, 0, image.width, image.height);
          const rgb = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
          let inked = 0;
          let series = 0; // pixels in the twitter line's colour
          for (let i = 0; i < data.length; i += 4) {
            if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) inked++;
            if (rgb.every((value, c) => Math.abs(data[i + c] - value) < 30)) series++;
          }
          return { width: image.width, height: image.height, inked, series, total: data.length / 4 };
        },
        { base64: png.toString('base64'), colour: twitterColour },
      );
      assert.ok(pixels.width >= 900 && pixels.height >= 300, `screenshot ${pixels.width}x${pixels.height}`);
      assert.ok(pixels.inked / pixels.total > 0.01, `drawn pixels: ${pixels.inked} of ${pixels.total}`);
      assert.ok(pixels.series > 200, `twitter's line visible: ${pixels.series} pixels of ${twitterColour}`);
    } finally {
      await browser.close();
    }
  });
});
