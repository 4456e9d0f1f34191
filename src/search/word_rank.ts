// The "words" search mode without a persistent index: ranks sections (see sections.ts) in two phases.
// Phase 1 counts each query term (stemmed, a prefix pattern) in every candidate text and ranks whole
// documents by BM25F on body and path; phase 2 splits the best documents into sections and ranks those
// by BM25F on the section's body, own heading and enclosing headings, plus the document's own score
// (body, title, path) as a prior. Counts and sections are kept with the cached text (RankMemo).
import { bodyNorm, idf, saturate } from './bm25.ts';
import { countBySection, eachMatch, type Section, type SectionIndex, type TermMatcher } from './sections.ts';
import { countTerm, prefixesOf, termRanges, type TermIndex } from './term_index.ts';
import { alternatesOf, queryTerms, tokenize } from './tokenize.ts';

export type RankInput = {
  readonly key: string;
  /** Root-relative path; its words count as the document's name. */
  readonly path: string;
  readonly text: string;
  /** The text's sections (built once and kept with a cached text), asked for only for documents in phase 2. */
  readonly sections: () => SectionIndex | Promise<SectionIndex>;
  /** What earlier queries learned about this exact text (a second page, a refined query); filled in here. */
  readonly memo?: RankMemo | null;
};

/** Where the texts come from, each handed to `visit` while it is held (charged to the memory budget): `each` every
 * candidate in turn, `again` one document's for phase 2, or none (it then ranks as a whole document). A search keeps
 * counts, never the texts it ranked: kept, a thousand planted 1 MB files held 1.1 GB (docs/security.md, "Memory"). */
export type RankSource = {
  readonly each: (visit: (input: RankInput) => Promise<void>) => Promise<void>;
  readonly again: (key: string, visit: (input: RankInput) => Promise<void>) => Promise<void>;
};

/** Kept with a cached text (with its section index): whole-text term counts, word starts, per-section counts. */
export type RankMemo = {
  readonly counts: Map<string, number>;
  readonly bySection: Map<string, Uint16Array | null>;
  terms?: TermIndex;
};

export type RankedHit = { readonly key: string; readonly score: number; readonly section: Section };

const MAX_TF = 1000; // counting stops here: saturation makes more occurrences irrelevant
const CHARS_PER_TOKEN = 6;
const FINALISTS = 100; // documents split into sections in phase 2
// Sections phase 2 holds at once, with their indexes (~600 bytes each): a hundred planted files of 10,000
// headings held 600 MB (outside attack). Finalists past it rank as whole documents. Real ones hold ~2,000.
const MAX_SECTIONS = 20_000;
// Phase 1 field weights (document): a path word counts 3 body mentions, a title word 4.
const PATH_BOOST = 3;
const TITLE_BOOST = 4;
// Phase 2 field weights (section): its own heading 5 body mentions, an enclosing heading 1.
const HEADING_BOOST = 5;
const PARENT_BOOST = 1;
// How much the document's score adds to each of its sections.
const DOC_PRIOR = 0.6;
// Bonuses: query terms sharing the heading, query word pairs in the heading in the query's order.
const HEADING_COOCCURRENCE = 0.25;
const BIGRAM_WEIGHT = 0.5;
// A section is normalised as at least half an average one: a heading-only stub must not weigh a passing mention 4x.
const MIN_SECTION_SHARE = 0.5;
// Terms remembered per text: enough for a query, its next pages and a refinement.
const MEMO_TERMS = 16;

/**
 * A term matches at a word start or at a camelCase boundary: "spawn" counts spawn, spawnSync and
 * cp.spawn; "hash" also counts createHash; "file" counts readFile. A plain case-blind search finds the
 * candidates (the fastest regex shape) and a character test keeps those at a boundary.
 */
export function termMatcher(term: string): TermMatcher {
  const prefixes = prefixesOf(term); // "directory" counts "directories" too
  // Tokens hold only letters, marks, digits and underscores: nothing a regex would read as syntax.
  const any = alternatesOf(term).join('|');
  if (!prefixes) return { re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${any})`, 'giu'), at: () => true };
  // A one-letter term is a whole word: "c" (of Ctrl+C) must not count every word that starts with a c.
  return {
    re: new RegExp(prefixes.map((w) => (w.length === 1 ? `${w}(?![a-z0-9])` : w)).join('|'), 'gi'),
    at: (text, i) => !/[A-Za-z0-9]/.test(text[i - 1] ?? ' ') ||
      (/[a-z0-9]/.test(text[i - 1] as string) && /[A-Z]/.test(text[i] as string)),
  };
}

async function remember<V>(memo: Map<string, V> | undefined, term: string, compute: () => Promise<V>): Promise<V> {
  return memo?.has(term) ? memo.get(term) as V : keep(memo, term, await compute());
}
function keep<V>(memo: Map<string, V> | undefined, term: string, value: V): V {
  if (memo && memo.size >= MEMO_TERMS) memo.clear();
  return (memo?.set(term, value), value);
}

/** Occurrences of a term in a field's tokens: whole-token matches count double, prefix matches once. */
function fieldCount(tokens: readonly string[], words: readonly string[]): number {
  let n = 0;
  for (const t of tokens) {
    const w = words.find((x) => (x.length === 1 ? t === x : t.startsWith(x)));
    if (w !== undefined) n += t.length === w.length ? 2 : 1;
  }
  return n;
}

// Path tokens, asked for on every query for every file, memoised. Bounded in tokens, not paths: 45,000 planted
// names of one token per character held 4 GB and ended the process (outside attack). A path's last 64 are its words.
const pathMemo = new Map<string, string[]>();
const MEMO_TOKENS = 1 << 19;
const PATH_TOKENS = 64;
let memoTokens = 0;
export function pathTokensOf(path: string): string[] {
  const hit = pathMemo.get(path);
  if (hit) return hit;
  const tokens = tokenize(path.replace(/\.[A-Za-z0-9]+$/, '')).slice(-PATH_TOKENS);
  memoTokens += tokens.length;
  if (memoTokens > MEMO_TOKENS) {
    pathMemo.clear();
    memoTokens = tokens.length;
  }
  pathMemo.set(path, tokens);
  return tokens;
}

const WHOLE: Section = { line: 1, endLine: 1, title: null, path: [] }; // a document not split into sections
type Doc = { key: string; tf: number[]; path: number[]; length: number; score: number };
type Scored = { readonly key: string; readonly section: Section; readonly score: number };

/**
 * Ranks the sections of the texts of `source` for `query`; best first, ties by key then line. `step` runs before each
 * document (`file` true in phase 1): the caller yields to other requests, reports progress, checks its deadline;
 * `tick` runs between windows of a text's scan (the caller's slicer).
 */
export async function rankByWords(
  source: RankSource, query: string, limit: number,
  step: (file: boolean) => unknown = () => undefined, tick: () => Promise<void> = () => Promise.resolve(),
): Promise<RankedHit[]> {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const [patterns, ranges, alternates] = [terms.map(termMatcher), terms.map(termRanges), terms.map(alternatesOf)];
  const docs: Doc[] = [];
  const docFreq = new Array<number>(terms.length).fill(0);
  let docCount = 0;
  let totalLength = 0;
  await source.each(async (input) => {
    const waiting = step(true); // a promise only when the caller yields: not an await per document
    if (waiting) await waiting;
    docCount++;
    const length = input.text.length / CHARS_PER_TOKEN;
    totalLength += length;
    const pathTokens = pathTokensOf(input.path);
    const [tf, path, memo, index] = [[] as number[], [] as number[], input.memo?.counts, input.memo?.terms];
    let held = false; // plain loops, no closure per term: 8,000 documents a query (docs/performance.md)
    for (let i = 0; i < terms.length; i++) {
      const [term, range, re] = [terms[i] as string, ranges[i], patterns[i] as TermMatcher];
      // What the text told before (a repeated query reads a map), else its word-start index, else a scan.
      let n = memo?.get(term) ?? (index && range ? countTerm(index, range) : null);
      if (n !== null && !memo?.has(term)) keep(memo, term, n);
      n ??= await remember(memo, term, async (k = 0) => (await eachMatch(re, input.text, tick, () => ++k < MAX_TF), k));
      tf.push(Math.min(MAX_TF, n));
      path.push(fieldCount(pathTokens, alternates[i] as readonly string[]));
      if ((tf[i] as number) > 0 || (path[i] as number) > 0) (docFreq[i] = (docFreq[i] as number) + 1, held = true);
    }
    if (held) docs.push({ key: input.key, tf, path, length, score: 0 });
  });
  if (docs.length === 0) return [];
  const idfs = docFreq.map((df) => idf(docCount, df));
  const average = totalLength / docCount;
  const docScore = (d: Doc, title: readonly string[]): number => {
    const norm = bodyNorm(d.length, average);
    let total = 0;
    alternates.forEach((alts, i) => {
      const w = (d.tf[i] as number) / norm + PATH_BOOST * (d.path[i] as number) + TITLE_BOOST * fieldCount(title, alts);
      total += saturate(w, idfs[i] as number);
    });
    return total;
  };
  for (const d of docs) d.score = docScore(d, []);
  docs.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));

  // Phase 2: the finalists' sections, their term counts and the section statistics (count, length, idf:
  // among sections "directory" is rare even where every document says it).
  const finalists = docs.slice(0, Math.max(FINALISTS, limit));
  const split: { d: Doc; index: SectionIndex; counts: (Uint16Array | null)[] }[] = [];
  const sectionFreq = new Array<number>(terms.length).fill(0);
  let sectionCount = 0;
  let sectionLength = 0;
  const whole: Doc[] = []; // past MAX_SECTIONS, or not handed out again: ranked as whole documents
  for (const d of finalists) {
    await step(false);
    if (sectionCount >= MAX_SECTIONS) whole.push(d);
    if (sectionCount >= MAX_SECTIONS) continue;
    const before = split.length;
    await source.again(d.key, async (input) => {
      const index = await input.sections();
      const counts: (Uint16Array | null)[] = [];
      for (const [i, re] of patterns.entries()) {
        counts.push(d.tf[i] === 0 ? null : await remember(input.memo?.bySection, terms[i] as string,
          () => countBySection(re, input.text, index.offsets, MAX_TF, tick)));
      }
      for (let s = 0; s < index.sections.length; s++) {
        if (s % 256 === 255) await tick(); // 10,000 sections x 32 terms x their heading tokens: outside attack
        alternates.forEach((words, i) => {
          const held = (counts[i]?.[s] ?? 0) > 0 || fieldCount(index.own[s] as readonly string[], words) > 0;
          if (held) sectionFreq[i] = (sectionFreq[i] as number) + 1;
        });
      }
      split.push({ d, index, counts });
      sectionCount += index.sections.length;
      for (const l of index.lengths) sectionLength += l;
    });
    if (split.length === before) whole.push(d);
  }
  const averageSection = sectionLength / Math.max(1, sectionCount);
  const sidfs = sectionFreq.map((df) => idf(sectionCount, df));
  const words = tokenize(query); // in order: its adjacent pairs are the bigrams a heading may repeat
  const bigrams = new Set(words.slice(1).map((w, k) => `${words[k]} ${w}`));
  const scored: Scored[] = [];
  for (const d of whole) scored.push({ key: d.key, section: WHOLE, score: d.score });
  for (const { d, index, counts } of split) {
    await step(false);
    const prior = DOC_PRIOR * docScore(d, index.title);
    let any = false;
    for (const [s, section] of index.sections.entries()) {
      if (s % 256 === 255) await tick();
      const own = index.own[s] as readonly string[];
      const parents = index.parents[s] as readonly string[];
      const norm = bodyNorm(Math.max(index.lengths[s] as number, MIN_SECTION_SHARE * averageSection), averageSection);
      let score = 0;
      const sharedIdf: number[] = []; // of the query terms its heading holds
      alternates.forEach((words, i) => {
        const inHeading = fieldCount(own, words);
        const inParents = Math.min(1, fieldCount(parents, words));
        const w = (counts[i]?.[s] ?? 0) / norm + HEADING_BOOST * inHeading + PARENT_BOOST * inParents;
        score += saturate(w, sidfs[i] as number);
        if (inHeading > 0) sharedIdf.push(sidfs[i] as number);
      });
      if (score === 0) continue;
      if (sharedIdf.length >= 2) score += HEADING_COOCCURRENCE * sharedIdf.reduce((a, b) => a + b);
      score += BIGRAM_WEIGHT * bigramsIn(own, bigrams);
      any = true;
      scored.push({ key: d.key, section, score: score + prior });
    }
    // A document found by its name alone is still a hit: its first section stands for it.
    const first = index.sections[0];
    if (!any && first) scored.push({ key: d.key, section: first, score: prior / DOC_PRIOR });
  }
  const byKey = (a: Scored, b: Scored): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  scored.sort((a, b) => b.score - a.score || byKey(a, b) || a.section.line - b.section.line);
  return scored.slice(0, limit);
}

/** How many of the query's adjacent word pairs follow each other in `tokens`. */
function bigramsIn(tokens: readonly string[], bigrams: ReadonlySet<string>): number {
  if (bigrams.size === 0) return 0;
  let n = 0;
  for (let k = 1; k < tokens.length; k++) if (bigrams.has(`${tokens[k - 1]} ${tokens[k]}`)) n++;
  return n;
}
