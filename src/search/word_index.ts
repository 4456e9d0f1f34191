// In-memory inverted index for the "words" search mode, ranked with BM25F (see bm25.ts).
// Holds no document text, only packed counts per term, so memory stays bounded; remove() frees postings.

import { bodyNorm, cooccurrenceBonus, idf, inName, packCounts, termScore } from './bm25.ts';
import type { FieldCounts } from './bm25.ts';
import { PostingStore } from './postings.ts';
import { queryTerms, tokenize } from './tokenize.ts';

export type IndexedDoc = {
  readonly key: string;
  readonly path: string;
  readonly title: string;
  readonly headings: readonly string[];
  readonly text: string;
};

export type RankedHit = { readonly key: string; readonly score: number };

export type SearchOptions = { readonly limit: number; readonly filter?: (key: string) => boolean };

type DocRecord = {
  readonly key: string;
  readonly bodyLength: number;
  /** Every term id the document holds, so remove() can find its postings. */
  readonly terms: Int32Array;
  /** Distinct term ids of each heading, headings separated by -1, for the co-occurrence bonus. */
  readonly headings: Int32Array;
};

type Candidate = { score: number; matched: number; nameCount: number; nameIdf: number };

const HEADING_END = -1;

export class WordIndex {
  // Doc numbers only grow, so each postings list stays sorted and remove() can binary-search it.
  #nextDoc = 0;
  readonly #docNumbers = new Map<string, number>();
  readonly #docs = new Map<number, DocRecord>();
  #totalBodyLength = 0;
  readonly #termIds = new Map<string, number>();
  readonly #termNames: string[] = [];
  readonly #postings = new PostingStore();
  readonly #freeTermIds: number[] = [];

  get size(): number {
    return this.#docs.size;
  }

  has(key: string): boolean {
    return this.#docNumbers.has(key);
  }

  /** Indexes `doc`, replacing any document with the same key. */
  add(doc: IndexedDoc): void {
    this.remove(doc.key);
    const docNumber = this.#nextDoc++;
    const counts = new Map<string, FieldCounts>();
    const body = tokenize(doc.text);
    for (const term of body) countOf(counts, term).body++;
    for (const term of tokenize(doc.title)) countOf(counts, term).title++;
    for (const term of tokenize(pathWithoutExtension(doc.path))) countOf(counts, term).path++;
    const headings: number[] = [];
    for (const heading of doc.headings) {
      for (const term of new Set(tokenize(heading))) {
        countOf(counts, term).heading++;
        headings.push(this.#termId(term));
      }
      headings.push(HEADING_END);
    }
    const terms = new Int32Array(counts.size);
    let i = 0;
    for (const [term, count] of counts) {
      const id = this.#termId(term);
      terms[i++] = id;
      this.#postings.append(id, docNumber, packCounts(count));
    }
    this.#docNumbers.set(doc.key, docNumber);
    const record = { key: doc.key, bodyLength: body.length, terms, headings: Int32Array.from(headings) };
    this.#docs.set(docNumber, record);
    this.#totalBodyLength += body.length;
  }

  /** Drops the document with `key` and its postings; a no-op for an unknown key. */
  remove(key: string): void {
    const doc = this.#docNumbers.get(key);
    const record = doc === undefined ? undefined : this.#docs.get(doc);
    if (doc === undefined || record === undefined) return;
    for (const id of record.terms) {
      if (this.#postings.remove(id, doc) === 0) this.#dropTerm(id);
    }
    this.#docNumbers.delete(key);
    this.#docs.delete(doc);
    this.#totalBodyLength -= record.bodyLength;
  }

  /** Documents matching any query term, best first, ties by key ascending, at most `limit`. */
  search(query: string, options: SearchOptions): RankedHit[] {
    const limit = Math.floor(options.limit);
    if (!(limit > 0) || this.#docs.size === 0) return [];
    const docCount = this.#docs.size;
    const average = this.#totalBodyLength / docCount;
    const filter = options.filter;
    const allowed = new Map<number, boolean>();
    const candidates = new Map<number, Candidate>();
    const queryIdf = new Map<number, number>();
    for (const term of queryTerms(query)) {
      const id = this.#termIds.get(term);
      if (id === undefined) continue;
      const termIdf = idf(docCount, this.#postings.count(id));
      queryIdf.set(id, termIdf);
      this.#postings.forEach(id, (doc, packed) => {
        const record = this.#docs.get(doc);
        if (record === undefined) return;
        if (filter !== undefined) {
          let ok = allowed.get(doc);
          if (ok === undefined) allowed.set(doc, (ok = filter(record.key)));
          if (!ok) return;
        }
        let candidate = candidates.get(doc);
        if (candidate === undefined) {
          candidates.set(doc, (candidate = { score: 0, matched: 0, nameCount: 0, nameIdf: 0 }));
        }
        candidate.score += termScore(packed, bodyNorm(record.bodyLength, average), termIdf);
        candidate.matched++;
        if (inName(packed)) {
          candidate.nameCount++;
          candidate.nameIdf += termIdf;
        }
      });
    }
    const hits: RankedHit[] = [];
    for (const [doc, candidate] of candidates) {
      const record = this.#docs.get(doc);
      if (record === undefined) continue;
      let score = candidate.score + cooccurrenceBonus('name', candidate.nameCount, candidate.nameIdf);
      if (candidate.matched >= 2) score += bestHeadingBonus(record.headings, queryIdf);
      hits.push({ key: record.key, score });
    }
    hits.sort(compareHits);
    return hits.length > limit ? hits.slice(0, limit) : hits;
  }

  #termId(term: string): number {
    let id = this.#termIds.get(term);
    if (id === undefined) {
      id = this.#freeTermIds.pop() ?? this.#termNames.length;
      this.#termIds.set(term, id);
      this.#termNames[id] = term;
    }
    return id;
  }

  #dropTerm(id: number): void {
    this.#termIds.delete(this.#termNames[id] ?? '');
    this.#termNames[id] = '';
    this.#freeTermIds.push(id);
  }
}

/** A fresh, empty index. */
export function createWordIndex(): WordIndex {
  return new WordIndex();
}

function countOf(counts: Map<string, FieldCounts>, term: string): FieldCounts {
  let count = counts.get(term);
  if (count === undefined) counts.set(term, (count = { body: 0, title: 0, heading: 0, path: 0 }));
  return count;
}

/** "api/child_process.md" -> "api/child_process": the extension says nothing about the topic. */
function pathWithoutExtension(path: string): string {
  return path.replace(/(?<=[^/\\.])\.[^./\\]*$/, '');
}

/** The best single heading holding two or more query terms, as a bonus. */
function bestHeadingBonus(headings: Int32Array, queryIdf: ReadonlyMap<number, number>): number {
  let best = 0;
  let count = 0;
  let idfSum = 0;
  for (const id of headings) {
    if (id === HEADING_END) {
      best = Math.max(best, cooccurrenceBonus('heading', count, idfSum));
      count = 0;
      idfSum = 0;
      continue;
    }
    const termIdf = queryIdf.get(id);
    if (termIdf !== undefined) {
      count++;
      idfSum += termIdf;
    }
  }
  return best;
}

function compareHits(a: RankedHit, b: RankedHit): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
