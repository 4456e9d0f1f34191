// A cached text's word starts, counted once by the warm-up, so words mode's phase 1 looks a term up instead of
// scanning for it. A start is where termMatcher (word_rank.ts) counts from: an ASCII letter/digit run's start or a
// camelCase boundary, kept as a code of its first 6 characters (base 37 case-blind, a run's end as 0, so a prefix
// is a range of codes): 8 bytes per distinct start. A longer term is answered when its 6-character range is empty.
import { alternatesOf } from './tokenize.ts';

/** Distinct start codes, ascending, and how many starts have a code up to each (8 bytes a code). */
export type TermIndex = { readonly codes: Uint32Array; readonly ends: Uint32Array };

const WIDTH = 6; // 37^6 < 2^32
const SPAN = [1, 37, 37 ** 2, 37 ** 3, 37 ** 4, 37 ** 5, 37 ** 6];
const SYMBOL = Uint8Array.from({ length: 128 }, (_, c) => // 0: not [A-Za-z0-9]; digits 1-10, letters 11-36 either case
  c > 47 && c < 58 ? c - 47 : c > 64 && c < 91 ? c - 54 : c > 96 && c < 123 ? c - 86 : 0);
const STEP = 1 << 16; // characters between two `tick`s (a few ms)
export const MAX_INDEXED = 1 << 18; // characters: a text's starts (128 K at most) are sorted in one step of ~10 ms
const symbolAt = (text: string, i: number) => (text.charCodeAt(i) < 128 ? SYMBOL[text.charCodeAt(i)] as number : 0);

/** The index of `text`, a slice at a time. */
export async function buildTermIndex(text: string, tick: () => Promise<void>): Promise<TermIndex> {
  const counts = new Map<number, number>(); // per distinct start: sorting 520 K starts took 125-219 ms in one step
  let before = 0; // before i: 0 no letter or digit, 1 an upper-case letter, 2 a lower-case letter or a digit
  for (let from = 0; from < text.length; from += STEP) {
    await tick();
    for (let i = from; i < Math.min(text.length, from + STEP); i++) {
      const c = text.charCodeAt(i);
      const [s, upper] = [c < 128 ? (SYMBOL[c] as number) : 0, c > 64 && c < 91];
      if (s !== 0 && (before === 0 || (before === 2 && upper))) {
        let code = s, k = 1;
        for (let n = symbolAt(text, i + 1); k < WIDTH && n !== 0; n = symbolAt(text, i + ++k)) code = code * 37 + n;
        code *= SPAN[WIDTH - k] as number;
        counts.set(code, (counts.get(code) ?? 0) + 1);
      }
      before = s === 0 ? 0 : upper ? 1 : 2;
    }
  }
  await tick();
  const codes = new Uint32Array(counts.keys()).sort(); // the distinct ones (one-letter words: 36, not 520 K)
  let total = 0;
  return { codes, ends: codes.map((code) => (total += counts.get(code) as number)) };
}

/** What a stemmed query term matches at a start (itself, its alternates, a y-stem's -ie form: "directory" counts
 * "directories"), or null when a character is not [a-z0-9]. termMatcher scans for these. */
export function prefixesOf(term: string): string[] | null {
  const words = alternatesOf(term);
  if (!words.every((w) => /^[a-z0-9]+$/.test(w))) return null;
  return words.flatMap((w) => (w.length > 3 && w.endsWith('y') ? [w, `${w.slice(0, -1)}ie`] : [w]));
}

/** The prefixes as code ranges [from, to, long] sorted (long: a prefix past 6 characters; one letter a whole word). */
export function termRanges(term: string): number[] | null {
  return prefixesOf(term)?.map((p) => {
    const code = [...p.slice(0, WIDTH).padEnd(WIDTH, '\0')].reduce((n, c) => n * 37 + symbolAt(c, 0), 0);
    return [code, code + (p.length === 1 ? 1 : SPAN[WIDTH - Math.min(WIDTH, p.length)] as number), +(p.length > WIDTH)];
  }).sort((a, b) => (a[0] as number) - (b[0] as number) || (b[1] as number) - (a[1] as number)).flat() ?? null;
}

/** How many starts fall in `ranges` (once each, as one regex match), or null when a scan must tell: a long
 * prefix's first 6 characters start a word here. Prefix ranges nest or lie apart, so a nested one adds nothing. */
export function countTerm({ codes, ends }: TermIndex, ranges: readonly number[]): number | null {
  const below = (x: number, lo = 0, hi = codes.length) => { // starts with a lower code, by binary search
    while (lo < hi) ((codes[(lo + hi) >> 1] as number) < x ? (lo = ((lo + hi) >> 1) + 1) : (hi = (lo + hi) >> 1));
    return lo > 0 ? (ends[lo - 1] as number) : 0;
  };
  let [n, counted] = [0, 0];
  for (let r = 0; r < ranges.length; r += 3) {
    const found = (ranges[r] as number) >= counted ? below(ranges[r + 1] as number) - below(ranges[r] as number) : 0;
    if (found > 0 && ranges[r + 2] === 1) return null;
    [n, counted] = [n + found, Math.max(counted, ranges[r + 1] as number)];
  }
  return n;
}
