import { CONCEPTS, GENERIC_WORDS, STOPWORDS } from './lexicon.ts';

/**
 * Unknown words land in this many hashed dimensions. Large enough that two unrelated prompts
 * rarely share a bucket (which would fake similarity), small enough to keep cosine cheap.
 */
const HASH_DIMS = 256;
/** Weight of a word whose topic the lexicon knows; the unit everything else is relative to. */
const CONCEPT_WEIGHT = 1;
/** Generic words ("policy", "info") hint at a question's form, not its topic. */
const GENERIC_WEIGHT = 0.3;
/** Unknown words still matter (they are usually the topic), a bit less than known concepts. */
const UNKNOWN_WEIGHT = 0.6;
/**
 * Tokens with digits or long hex runs are identifiers: run ids and nonces that suites add to
 * prompts to dodge stale caches. They must not pull two paraphrases apart.
 */
const IDENTIFIER_WEIGHT = 0.05;
const MAX_PHRASE_WORDS = 4;

/**
 * A light suffix stripper (not Porter): enough to fold plurals, -ing, -ed and -ly, and to undo
 * the doubled consonant they leave ("shipping" -> "ship").
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith('ly')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  if (w.length > 3 && w.at(-1) === w.at(-2) && !'aeiouls'.includes(w.at(-1) ?? '')) w = w.slice(0, -1);
  return w;
}

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).map(stem);
}

interface Entry {
  readonly dim: number;
  readonly weight: number;
}

const conceptNames = Object.keys(CONCEPTS);
const GENERIC_DIM = conceptNames.length;
const HASH_BASE = GENERIC_DIM + 1;
/** Dimension of every vector the stand-in model returns. */
export const EMBEDDING_DIMS = HASH_BASE + HASH_DIMS;

/** Stemmed phrase (words joined by a space) -> its dimension and weight. */
const lexicon = new Map<string, Entry>();
conceptNames.forEach((name, dim) => {
  for (const phrase of CONCEPTS[name] ?? []) lexicon.set(words(phrase).join(' '), { dim, weight: CONCEPT_WEIGHT });
});
for (const w of GENERIC_WORDS) lexicon.set(stem(w), { dim: GENERIC_DIM, weight: GENERIC_WEIGHT });
const stopwords = new Set([...STOPWORDS].map(stem));

/** FNV-1a, so an unknown word always lands in the same bucket across processes. */
function hashBucket(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % HASH_DIMS;
}

/**
 * Embeds a text as an L2-normalised vector of `EMBEDDING_DIMS` numbers. Phrases are matched
 * longest first over the stemmed word sequence (stopwords included, so "how much" and
 * "where is my order" can match), then single words; words the lexicon does not know fall into
 * hashed buckets. An empty or all-stopword text gives the zero vector (cosine 0 with anything).
 */
export function embed(text: string): number[] {
  const v = new Array<number>(EMBEDDING_DIMS).fill(0);
  const ws = words(text);
  for (let i = 0; i < ws.length; ) {
    let matched = 0;
    for (let n = Math.min(MAX_PHRASE_WORDS, ws.length - i); n >= 1 && matched === 0; n--) {
      const entry = lexicon.get(ws.slice(i, i + n).join(' '));
      if (entry) {
        v[entry.dim] = (v[entry.dim] ?? 0) + entry.weight;
        matched = n;
      }
    }
    if (matched === 0) {
      const w = ws[i] ?? '';
      if (!stopwords.has(w)) {
        const weight = /\d/.test(w) || /^[0-9a-f]{6,}$/.test(w) ? IDENTIFIER_WEIGHT : UNKNOWN_WEIGHT;
        const dim = HASH_BASE + hashBucket(w);
        v[dim] = (v[dim] ?? 0) + weight;
      }
      matched = 1;
    }
    i += matched;
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}
