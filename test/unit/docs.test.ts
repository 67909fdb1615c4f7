// The docs a newcomer reads first stay true to the tree: every relative link in README.md, CHANGELOG.md and
// docs/*.md reaches a file (and its #anchor a heading, by GitHub's slug rules), and every command shown in their
// code (npm run X, npm X, npx tsx FILE) exists: a script in package.json, a file in the repository.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/cli.js';

const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((name) => `docs/${name}`)]
  .filter((path) => path.endsWith('.md'))
  .sort();
const SCRIPTS = new Set(Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts));
/** npm's own commands (not scripts) the docs may show. */
const NPM_COMMANDS = new Set(['ci', 'install', 'i', 'exec', 'ls', 'view', 'pack', 'outdated', 'audit']);

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;

/** GitHub's heading anchor (github-slugger): lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link: its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings, numbered as GitHub numbers repeats (-1, -2, ...). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of markdown.replace(FENCE, '').matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

/** Relative link targets, inline `[text](target)` and reference `[label]: target`, outside code. */
function links(markdown: string): string[] {
  const prose = markdown.replace(FENCE, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]);
  return [...inline, ...references].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The code a doc shows: fenced blocks and inline code spans. */
function code(markdown: string): string {
  const blocks = [...markdown.matchAll(FENCE)].map((m) => m[0]);
  const spans = [...markdown.replace(FENCE, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...blocks, ...spans].join('\n');
}

/** Where a link leads that is broken, or undefined. */
function brokenLink(from: string, target: string): string | undefined {
  const [path, anchor] = target.split('#', 2);
  const file = path ? join(dirname(join(REPO_ROOT, from)), decodeURIComponent(path)) : join(REPO_ROOT, from);
  if (!existsSync(file)) return `${relative(REPO_ROOT, file)} does not exist`;
  if (anchor === undefined || statSync(file).isDirectory() || !file.endsWith('.md')) return undefined;
  return anchors(readFileSync(file, 'utf8')).has(anchor)
    ? undefined
    : `no heading #${anchor} in ${relative(REPO_ROOT, file)}`;
}

describe('docs', () => {
  it('finds the docs to check', () => {
    for (const path of ['README.md', 'CHANGELOG.md', 'docs/development.md']) assert.ok(DOCS.includes(path), path);
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link reaches a file and its #anchor a heading`, () => {
      const broken = links(read(doc)).flatMap((target) => {
        const problem = brokenLink(doc, target);
        return problem ? [`(${target}): ${problem}`] : [];
      });
      assert.deepEqual(broken, []);
    });

    it(`${doc}: every npm and npx tsx command it shows exists`, () => {
      const shown = code(read(doc));
      const missing: string[] = [];
      for (const [command, name] of shown.matchAll(/\bnpm[ \t]+run(?:-script)?[ \t]+(?:-s[ \t]+)?([\w:.-]+)/g))
        if (!SCRIPTS.has(name)) missing.push(`${command}: no script "${name}" in package.json`);
      for (const [command, name] of shown.matchAll(/\bnpm[ \t]+(?!run\b|run-script\b)([a-z][\w:-]*)/g))
        if (!SCRIPTS.has(name) && !NPM_COMMANDS.has(name)) missing.push(`${command}: no script "${name}"`);
      for (const [command, path] of shown.matchAll(/\bnpx[ \t]+tsx[ \t]+([\w./-]+\.ts)\b/g))
        if (!existsSync(join(REPO_ROOT, path))) missing.push(`${command}: ${path} does not exist`);
      assert.deepEqual(missing, []);
    });
  }
});

describe('GitHub heading anchors', () => {
  it('follow github-slugger: punctuation dropped, code and links as text, repeats numbered', () => {
    assert.equal(slug('How it got here (2026-11-25)'), 'how-it-got-here-2026-11-25');
    assert.equal(slug('`resources.json`'), 'resourcesjson');
    assert.equal(slug('The fence: one checkpoint per shard'), 'the-fence-one-checkpoint-per-shard');
    assert.equal(slug('Using [a hub model](x.md) in *production*'), 'using-a-hub-model-in-production');
    assert.equal(slug('MODEL_ID and ORT_THREADS'), 'model_id-and-ort_threads');
    assert.deepEqual([...anchors('# Results\n\n```\n# not a heading\n```\n## Results\n')], ['results', 'results-1']);
  });
});
