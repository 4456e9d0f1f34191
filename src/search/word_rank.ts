// The "words" search mode without an index: each query term (stemmed, from the tokenizer) becomes a
// prefix pattern counted in every candidate text, then documents are ranked by BM25F with title,
// heading and path boosts. Scanning costs about what a literal search costs, needs no index memory,
// and is always current with the text cache (docs/performance.md explains the choice).
import { bodyNorm, cooccurrenceBonus, idf, inName, packCounts, termScore } from './bm25.ts';
import type { Snippet } from './snippet.ts';
import { queryTerms, tokenize } from './tokenize.ts';

export type RankInput = {
  readonly key: string;
  /** Root-relative path; its words count as the document's name. */
  readonly path: string;
  readonly text: string;
  /** Title and headings, asked for only for the documents that reach the final ranking. */
  readonly outline: () => { readonly title: string; readonly headings: readonly string[] };
  /** What earlier queries learned about this exact text (a second page, a refined query); filled in here. */
  readonly memo?: RankMemo | null;
};

/** Kept with a cached text: its term counts, its title and headings as tokens, its best line per query. */
export type RankMemo = {
  readonly counts: Map<string, number>;
  /** Keyed by the query's terms joined with spaces; null when no line holds a term. */
  readonly snippets: Map<string, Snippet | null>;
  outline: { readonly title: readonly string[]; readonly headings: readonly (readonly string[])[] } | null;
};

export type RankedHit = { readonly key: string; readonly score: number };

const MAX_TF = 1000; // counting stops here: saturation makes more occurrences irrelevant
const APPROX_CHARS_PER_TOKEN = 6;
const RERANK_FLOOR = 100;
const PATH_NAME_WEIGHT = 0.6;
const TITLE_NAME_WEIGHT = 0.4;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A term matches at a word start ("spawn" counts spawn, spawned, spawnSync, cp.spawn). */
function termPattern(term: string): RegExp {
  const ascii = /^[\x00-\x7f]*$/.test(term);
  return ascii
    ? new RegExp(`(?<![A-Za-z0-9])${escapeRegex(term)}`, 'gi')
    : new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(term)}`, 'giu');
}

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < MAX_TF && re.exec(text) !== null) n++;
  return n;
}

// Terms remembered per text: enough for a query and its next pages or a refinement, while the memo of
// a whole corpus stays a few megabytes.
const MEMO_TERMS = 16;

function termCount(term: string, re: RegExp, input: RankInput): number {
  const memo = input.memo?.counts;
  const known = memo?.get(term);
  if (known !== undefined) return known;
  const n = countMatches(re, input.text);
  if (memo) {
    if (memo.size >= MEMO_TERMS) memo.clear();
    memo.set(term, n);
  }
  return n;
}

function outlineTokens(input: RankInput): NonNullable<RankMemo['outline']> {
  if (input.memo?.outline) return input.memo.outline;
  const o = input.outline();
  const tokens = { title: tokenize(o.title), headings: o.headings.map((h) => tokenize(h)) };
  if (input.memo) input.memo.outline = tokens;
  return tokens;
}

/** Occurrences of a term in a field's tokens: whole-token matches count double, prefix matches once. */
function fieldCount(tokens: readonly string[], term: string): number {
  let n = 0;
  for (const t of tokens) if (t.startsWith(term)) n += t.length === term.length ? 2 : 1;
  return n;
}

// Path tokens are asked for on every query for every file; paths change rarely, so they are memoised
// (bounded: the memo is dropped when it grows past the largest corpus a root may hold).
const PATH_MEMO_LIMIT = 1_000_000;
const pathMemo = new Map<string, string[]>();

function pathTokensOf(path: string): string[] {
  let tokens = pathMemo.get(path);
  if (tokens === undefined) {
    if (pathMemo.size >= PATH_MEMO_LIMIT) pathMemo.clear();
    tokens = tokenize(path.replace(/\.[A-Za-z0-9]+$/, ''));
    pathMemo.set(path, tokens);
  }
  return tokens;
}

type Candidate = { readonly input: RankInput; readonly tf: number[]; readonly pathTokens: string[]; readonly length: number; score: number };

/** Ranks `inputs` for `query`; best first, ties by key. `onFile` lets the caller yield and report progress. */
export async function rankByWords(
  inputs: AsyncIterable<RankInput> | Iterable<RankInput>, query: string, limit: number, onFile: () => void | Promise<void> = () => undefined,
): Promise<RankedHit[]> {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const patterns = terms.map(termPattern);
  const candidates: Candidate[] = [];
  const docFreq = new Array<number>(terms.length).fill(0);
  let docCount = 0;
  let totalLength = 0;
  for await (const input of inputs) {
    await onFile();
    docCount++;
    const length = input.text.length / APPROX_CHARS_PER_TOKEN;
    totalLength += length;
    const pathTokens = pathTokensOf(input.path);
    const tf = patterns.map((re, i) => termCount(terms[i] as string, re, input));
    let any = false;
    terms.forEach((term, i) => {
      if ((tf[i] as number) > 0 || fieldCount(pathTokens, term) > 0) {
        docFreq[i] = (docFreq[i] as number) + 1;
        any = true;
      }
    });
    if (any) candidates.push({ input, tf, pathTokens, length, score: 0 });
  }
  if (candidates.length === 0) return [];
  const average = totalLength / docCount;
  const idfs = docFreq.map((df) => idf(docCount, df));

  const score = (c: Candidate, outline: NonNullable<RankMemo['outline']> | null): number => {
    const norm = bodyNorm(c.length, average);
    const titleTokens = outline ? outline.title : [];
    const headingTokens = outline ? outline.headings : [];
    let total = 0;
    let nameIdf = 0;
    let nameTerms = 0;
    terms.forEach((term, i) => {
      const packed = packCounts({
        body: c.tf[i] as number,
        title: fieldCount(titleTokens, term),
        heading: headingTokens.reduce((n, h) => n + (fieldCount(h, term) > 0 ? 1 : 0), 0),
        path: fieldCount(c.pathTokens, term),
      });
      total += termScore(packed, norm, idfs[i] as number);
      // Beyond the saturated BM25F sum: a term naming the document (its file name or title) decides
      // between pages that all mention it often ("http server": http.md over net.md).
      // idf is floored at 1: in a small corpus where every page says "http", the name still tells.
      const namingIdf = Math.max(1, idfs[i] as number);
      if (fieldCount(c.pathTokens, term) >= 2) total += PATH_NAME_WEIGHT * namingIdf;
      if (fieldCount(titleTokens, term) >= 2) total += TITLE_NAME_WEIGHT * namingIdf;
      if (inName(packed)) {
        nameTerms++;
        nameIdf += idfs[i] as number;
      }
    });
    total += cooccurrenceBonus('name', nameTerms, nameIdf);
    let best = 0;
    for (const h of headingTokens) {
      let count = 0;
      let sum = 0;
      terms.forEach((term, i) => {
        if (fieldCount(h, term) > 0) {
          count++;
          sum += idfs[i] as number;
        }
      });
      best = Math.max(best, cooccurrenceBonus('heading', count, sum));
    }
    return total + best;
  };

  // Phase 1: body and path only, for every candidate. Phase 2: titles and headings for the best few.
  for (const c of candidates) c.score = score(c, null);
  candidates.sort((a, b) => b.score - a.score || (a.input.key < b.input.key ? -1 : 1));
  const finalists = candidates.slice(0, Math.max(RERANK_FLOOR, limit * 4));
  for (const c of finalists) c.score = score(c, outlineTokens(c.input));
  finalists.sort((a, b) => b.score - a.score || (a.input.key < b.input.key ? -1 : a.input.key > b.input.key ? 1 : 0));
  return finalists.slice(0, limit).map((c) => ({ key: c.input.key, score: c.score }));
}
