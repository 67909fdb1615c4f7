// Seeded sample posts for the benchmark: social-media-like texts of realistic, varied length (mostly
// tweet-sized, some comments and reviews, a few long threads past the model's 128 tokens, a few posts in
// the audience's other languages), with mentions, links, hashtags, emoji and emoticons. The same seed
// always gives the same texts, so runs on different days compare.
import { seededRandom } from '../src/local/seeded-random.js';

const SUBJECTS = [
  'the new update',
  'this phone',
  'the service',
  'my order',
  'the game last night',
  'the new album',
  'customer support',
  'the delivery',
  'the app',
  'this place',
  'the show',
  'the team',
  'the battery',
  'the hotel',
  'the flight',
  'the coffee here',
  'the keynote',
  'the match',
  'the movie',
  'the price increase',
];
const POSITIVE = [
  'amazing',
  'great',
  'so good',
  'brilliant',
  'lovely',
  'awesome',
  'fantastic',
  'really solid',
  'better than expected',
  'worth every penny',
];
const NEGATIVE = [
  'terrible',
  'awful',
  'so disappointing',
  'a joke',
  'broken again',
  'the worst',
  'really bad',
  'a waste of money',
  'painfully slow',
  'not okay',
];
const NEUTRAL = [
  'out today',
  'on sale this week',
  'moving to a new version',
  'being discussed at the meeting',
  'available in three colours',
  'scheduled for Friday',
  'in the news',
  'listed on the website',
];
const OPENERS = ['Honestly', 'Ok so', 'Just saying', 'Update:', 'Wow', 'Ugh', 'Not gonna lie', 'FYI', 'Hmm', 'Well'];
const CLAUSES = [
  'I waited for over an hour and nobody answered',
  'they fixed it within a day which I did not expect',
  'my friends keep asking me about it',
  'the staff were friendly and helpful',
  'it keeps crashing whenever I open the camera',
  'we will see how it goes next week',
  'the price is fair for what you get',
  'I have been using it every day since March',
  'nobody told us about the change',
  'the reviews online were mixed',
  'it arrived two days early',
  'I would not recommend it to anyone',
  'the second half was much better than the first',
  'the screen is bright and the sound is clear',
  'I asked for a refund and got a form letter',
  'there is a meeting about it tomorrow morning',
];
const EMOJI = ['😍', '😂', '🙄', '😡', '👍', '🔥', '😭', '❤️', '🤔', '🎉', '👏🏽', '💯'];
const EMOTICONS = [':)', ':-(', ';)', ':D', '<3', ':('];
const HASHTAGS = [
  '#MondayMood',
  '#fail',
  '#TechNews',
  '#blessed',
  '#CustomerService',
  '#GameDay',
  '#NowPlaying',
  '#travel',
  '#ThrowbackThursday',
];
const OTHER_LANGUAGES = [
  'Saya sangat suka produk ini, penghantaran cepat dan harga berpatutan. Terima kasih banyak!',
  'Pelayanan hari ini sangat mengecewakan, saya menunggu lebih dari satu jam tanpa jawaban.',
  'Bu ürün gerçekten harika, herkese tavsiye ederim. Kargo da çok hızlı geldi.',
  'El servicio fue terrible y nadie contestó el teléfono durante toda la tarde.',
  'هذا المنتج رائع جدا وأنصح به الجميع',
  'Aplikasi ini sering error setelah update terakhir, tolong diperbaiki secepatnya.',
];

type Random = () => number;
const pick = <T>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
const chance = (rnd: Random, p: number): boolean => rnd() < p;

function sentence(rnd: Random): string {
  const tone = rnd();
  const judgement = tone < 0.4 ? pick(rnd, POSITIVE) : tone < 0.8 ? pick(rnd, NEGATIVE) : pick(rnd, NEUTRAL);
  let s = `${pick(rnd, SUBJECTS)} is ${judgement}`;
  if (chance(rnd, 0.6)) s += `${pick(rnd, [', ', ' and ', ' but ', ' because '])}${pick(rnd, CLAUSES)}`;
  if (chance(rnd, 0.3)) s = `${pick(rnd, OPENERS)} ${s}`;
  s = s[0].toUpperCase() + s.slice(1);
  if (chance(rnd, 0.1)) s = s.replace(/\b(so|good|bad)\b/, (w) => w.replace(/([aeo])/, '$1$1$1$1'));
  if (chance(rnd, 0.05)) s = s.toUpperCase();
  return `${s}${pick(rnd, ['.', '.', '!', '!!', '?', '...'])}`;
}

function decorate(rnd: Random, text: string): string {
  let t = text;
  if (chance(rnd, 0.3)) t = `@${pick(rnd, ['acme_support', 'JaneDoe', 'newsdesk', 'team_blue'])} ${t}`;
  if (chance(rnd, 0.35)) t += ` ${pick(rnd, EMOJI)}${chance(rnd, 0.3) ? pick(rnd, EMOJI) : ''}`;
  if (chance(rnd, 0.15)) t += ` ${pick(rnd, EMOTICONS)}`;
  if (chance(rnd, 0.25)) t += ` ${pick(rnd, HASHTAGS)}`;
  if (chance(rnd, 0.15)) t += ` https://example.com/p/${Math.floor(rnd() * 1e6).toString(36)}`;
  return t;
}

function textOfSentences(rnd: Random, min: number, max: number): string {
  const count = min + Math.floor(rnd() * (max - min + 1));
  return Array.from({ length: count }, () => sentence(rnd)).join(' ');
}

/**
 * `count` posts from `seed`: ~62% tweet-sized (1-2 sentences), ~25% comments (3-6), ~8% long threads
 * (12-25 sentences, cut to 128 tokens by the model), ~5% in Malay, Indonesian, Turkish, Spanish or Arabic.
 */
export function samplePosts(count: number, seed = 42): string[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const kind = rnd();
    if (kind < 0.05) return decorate(rnd, pick(rnd, OTHER_LANGUAGES));
    if (kind < 0.13) return decorate(rnd, textOfSentences(rnd, 12, 25));
    if (kind < 0.38) return decorate(rnd, textOfSentences(rnd, 3, 6));
    return decorate(rnd, textOfSentences(rnd, 1, 2));
  });
}
