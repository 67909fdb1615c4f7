// Made-up posts for the tests (never dataset text): clear tones over a few days and the sources.
import { seededRandom } from '../../src/local/seeded-random.js';

export const SOURCES = ['twitter', 'reddit', 'news'] as const;

export interface TestPost {
  postId: string;
  text: string;
  createdAt: string;
  source?: string;
  author?: string;
}

export interface PostOptions {
  /** postIds are `<prefix>-<i>`. Default 'post'. */
  prefix?: string;
  /** Post i falls on day 1 + i % days from 2024-05-01. Default 3. */
  days?: number;
  /**
   * Without a seed: fixed sentences, each day cycling through positive, negative, neutral and then the
   * sources, so every day has every tone and leans positive when its count is not a multiple of three.
   * With one: seeded word mixes of each tone (post i has tone i % 3), with authors, every tenth post
   * without a source.
   */
  seed?: number;
}

const TONES = [
  'I love this, wonderful and great',
  'this is terrible, awful and sad',
  'the meeting is at noon on tuesday',
];
const POSITIVE = ['love', 'great', 'wonderful', 'happy', 'excellent', 'amazing', 'thanks', 'good'];
const NEGATIVE = ['hate', 'terrible', 'awful', 'sad', 'horrible', 'bad', 'angry', 'worst'];
const NEUTRAL = ['the', 'meeting', 'is', 'at', 'noon', 'on', 'tuesday', 'report', 'published', 'today'];

const two = (n: number) => String(n).padStart(2, '0');

export function makePosts(count: number, options: PostOptions = {}): TestPost[] {
  const { prefix = 'post', days = 3, seed } = options;
  const random = seed === undefined ? undefined : seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const postId = `${prefix}-${i}`;
    const day = `2024-05-${two(1 + (i % days))}`;
    if (!random) {
      const k = Math.floor(i / days); // position within the day
      return {
        postId,
        text: TONES[k % TONES.length],
        createdAt: `${day}T${two(k % 24)}:00:00Z`,
        source: SOURCES[Math.floor(k / TONES.length) % SOURCES.length],
      };
    }
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const tone = i % 3;
    const words =
      tone === 0
        ? [pick(NEUTRAL), 'i', pick(POSITIVE), 'this', pick(POSITIVE)]
        : tone === 1
          ? [pick(NEUTRAL), 'this', 'is', pick(NEGATIVE), 'and', pick(NEGATIVE)]
          : [pick(NEUTRAL), pick(NEUTRAL), pick(NEUTRAL), pick(NEUTRAL)];
    return {
      postId,
      text: words.join(' '),
      createdAt: `${day}T${two(i % 24)}:15:00+00:00`,
      source: i % 10 === 9 ? undefined : SOURCES[i % SOURCES.length],
      author: `user${i % 7}`,
    };
  });
}
