// Deterministic sample posts for local runs and tests: a seeded generator over phrases written for
// this project (no real posts). Varied tone, length, source, UTC day and language, with emoji, URLs,
// @mentions and hashtags, plus a few malformed rows the producer must reject with a reason.
import type { Label } from '../domain/sentiment.js';
import { SAMPLE_PHRASES, type Language } from './sample-phrases.js';
import { seededRandom } from './seeded-random.js';

export const SAMPLE_SOURCES = ['twitter', 'facebook', 'news-comments', 'forum'] as const;
/** The UTC days the valid sample posts fall on (some are written with an offset that is another local day). */
export const SAMPLE_DAYS = ['2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06', '2024-06-07'] as const;

export interface SamplePost {
  postId: string;
  text: string;
  createdAt: string;
  source: string;
  author?: string;
  url?: string;
}

export interface SampleSet {
  /** Rows in input order: valid posts with the malformed rows mixed in. */
  rows: unknown[];
  /** The valid posts (what the producer should store and enqueue). */
  posts: SamplePost[];
  /** The tone each valid post was written with, by postId (for sanity checks of the classifier). */
  tones: Map<string, Label>;
  /** Language of each valid post, by postId. */
  languages: Map<string, Language>;
  /** The malformed rows and why each must be rejected. */
  malformed: { row: unknown; problem: string }[];
}

export interface SampleOptions {
  /** Number of valid posts. Default 300. */
  count?: number;
  seed?: number;
}

const TONES: Label[] = ['negative', 'neutral', 'positive'];
/** About one post in five is not English. */
const OTHER_LANGUAGES: Language[] = ['ar', 'ur', 'ur-Latn', 'ms', 'tr', 'id'];
/** UTC offsets posts are written with, per language (as a poster's device would). */
const OFFSETS: Record<Language, string[]> = {
  en: ['Z', 'Z', '-04:00', '+01:00'],
  ar: ['+03:00', '+04:00'],
  ur: ['+05:00'],
  'ur-Latn': ['+05:00'],
  ms: ['+08:00'],
  tr: ['+03:00'],
  id: ['+07:00'],
};

export function generateSamplePosts(options: SampleOptions = {}): SampleSet {
  const count = options.count ?? 300;
  const random = seededRandom(options.seed ?? 20240603);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;

  const posts: SamplePost[] = [];
  const tones = new Map<string, Label>();
  const languages = new Map<string, Language>();
  for (let i = 0; i < count; i++) {
    const source = SAMPLE_SOURCES[i % SAMPLE_SOURCES.length];
    const tone = TONES[Math.floor(random() * TONES.length)];
    const language: Language = chance(0.2) ? pick(OTHER_LANGUAGES) : 'en';
    const postId = `sample-${source}-${String(i + 1).padStart(4, '0')}`;
    const text = composeText(language, tone, source, pick, chance);
    const day = SAMPLE_DAYS[Math.floor(random() * SAMPLE_DAYS.length)];
    const post: SamplePost = {
      postId,
      text,
      createdAt: timestampOn(day, pick(OFFSETS[language]), random),
      source,
    };
    if (chance(0.8)) post.author = `${pick(SAMPLE_PHRASES.handles)}${Math.floor(random() * 90) + 10}`;
    if (source === 'news-comments' || chance(0.3))
      post.url = `https://${source}.example.org/p/${(i * 7919 + 1000).toString(36)}`;
    posts.push(post);
    tones.set(postId, tone);
    languages.set(postId, language);
  }

  const malformed = malformedRows(posts);
  const rows: unknown[] = [...posts];
  // Spread the malformed rows through the input rather than bunching them at the end.
  malformed.forEach(({ row }, k) => rows.splice(Math.floor(((k + 1) * rows.length) / (malformed.length + 1)), 0, row));
  return { rows, posts, tones, languages, malformed };
}

function composeText(
  language: Language,
  tone: Label,
  source: string,
  pick: <T>(items: readonly T[]) => T,
  chance: (p: number) => boolean,
): string {
  const phrases = SAMPLE_PHRASES;
  if (language !== 'en') {
    let text = pick(phrases.other[language][tone]);
    if (chance(0.4)) text += ` ${pick(phrases.emoji[tone])}`;
    if (chance(0.3)) text += ` ${pick(phrases.hashtags)}`;
    return text;
  }
  const subject = pick(phrases.subjects);
  const shape = chance(0.15) ? 'short' : chance(0.3) ? 'long' : 'medium';
  let text: string;
  if (shape === 'short') {
    text = pick(phrases.short[tone]);
  } else {
    text = pick(phrases.english[tone]).replace('{subject}', subject);
    text = text.charAt(0).toUpperCase() + text.slice(1);
    if (shape === 'long') {
      if (!/[.!?]$/.test(text)) text += '.';
      text += ` ${pick(phrases.details[tone]).replace('{subject}', subject)}`;
    }
  }
  if (source === 'twitter' || chance(0.25)) text = `${pick(phrases.mentions)} ${text}`;
  if (chance(0.35)) text += ` ${pick(phrases.emoji[tone])}`;
  if (source === 'twitter' ? chance(0.7) : chance(0.2)) text += ` ${pick(phrases.hashtags)}`;
  if (chance(0.12))
    text += ` https://example.org/${pick(['report', 'news', 'update', 'photos'])}/${pick([17, 42, 108, 2024])}`;
  return text;
}

/** The sample as JSONL, one row a line (the form `--input` and test/fixtures/sample-posts.jsonl take). */
export function sampleJsonl(set: SampleSet): string {
  return set.rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}

/** An ISO time on the given UTC day, written with the given offset (so the local day may differ). */
function timestampOn(day: string, offset: string, random: () => number): string {
  const utc = new Date(`${day}T00:00:00Z`).getTime() + Math.floor(random() * 86_400) * 1000;
  if (offset === 'Z') return new Date(utc).toISOString();
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number);
  const local = new Date(utc + sign * (hours * 60 + minutes) * 60_000).toISOString().slice(0, 19);
  return `${local}${offset}`;
}

/** Rows the producer must reject, each with the problem it has. */
function malformedRows(posts: SamplePost[]): { row: unknown; problem: string }[] {
  const base = { source: 'forum', createdAt: '2024-06-04T10:00:00Z' };
  return [
    { row: { ...base, postId: 'bad-missing-text' }, problem: 'text missing' },
    { row: { ...base, postId: 'bad-empty-text', text: '' }, problem: 'text empty' },
    { row: { ...base, postId: 'bad-text-number', text: 12345 }, problem: 'text is a number' },
    {
      row: { ...base, postId: 'bad-created-words', text: 'Meeting notes are up.', createdAt: 'yesterday afternoon' },
      problem: 'createdAt not a date',
    },
    {
      row: { ...base, postId: 'bad-created-month', text: 'Great turnout today!', createdAt: '2024-13-40T10:00:00Z' },
      problem: 'createdAt impossible date',
    },
    {
      row: { ...base, postId: 'bad-created-local', text: 'Roads are closed again.', createdAt: '2024-06-05 09:30' },
      problem: 'createdAt without offset',
    },
    { row: { ...base, postId: 42, text: 'The post id is a number.' }, problem: 'postId is a number' },
    { row: { ...base, text: 'Nobody gave this one an id.' }, problem: 'postId missing' },
    {
      row: { ...base, postId: 'bad-source-list', text: 'Source is a list.', source: ['forum', 'twitter'] },
      problem: 'source is a list',
    },
    { row: { ...posts[0], text: 'Same id as the first post, different text.' }, problem: 'duplicate postId' },
  ];
}
