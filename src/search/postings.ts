// Postings of the words index: per term id, the sorted (doc number, packed counts) pairs in typed arrays.
// Keeps the memory rule: 8 bytes a posting, single-document terms stored inline without an array.

const INITIAL_TERMS = 1024;
const INITIAL_LIST = 8; // ints, so 4 pairs

/** Receives one posting; `doc` numbers arrive in ascending order. */
export type PostingVisitor = (doc: number, packed: number) => void;

export class PostingStore {
  // Most terms of a corpus occur in one document: those live in #soloDoc/#soloPacked, not in a list.
  #lists: (Int32Array | undefined)[] = [];
  #count: Int32Array = new Int32Array(INITIAL_TERMS);
  #soloDoc: Int32Array = new Int32Array(INITIAL_TERMS);
  #soloPacked: Int32Array = new Int32Array(INITIAL_TERMS);

  /** How many documents hold term `term`. */
  count(term: number): number {
    return term < this.#count.length ? (this.#count[term] ?? 0) : 0;
  }

  /** Adds a posting; `doc` must exceed every doc number already in this term's list. */
  append(term: number, doc: number, packed: number): void {
    this.#reserve(term);
    const count = this.#count[term] ?? 0;
    if (count === 0) {
      this.#soloDoc[term] = doc;
      this.#soloPacked[term] = packed;
    } else {
      let list = this.#lists[term];
      if (list === undefined) {
        list = new Int32Array(INITIAL_LIST);
        list[0] = this.#soloDoc[term] ?? 0;
        list[1] = this.#soloPacked[term] ?? 0;
      } else if (list.length < count * 2 + 2) {
        const grown = new Int32Array(Math.ceil(list.length * 1.5) & ~1);
        grown.set(list);
        list = grown;
      }
      list[count * 2] = doc;
      list[count * 2 + 1] = packed;
      this.#lists[term] = list;
    }
    this.#count[term] = count + 1;
  }

  /** Removes `doc` from the term's postings; returns how many documents still hold the term. */
  remove(term: number, doc: number): number {
    const count = this.count(term);
    const list = this.#lists[term];
    if (list === undefined) {
      if (count === 1 && this.#soloDoc[term] === doc) this.#count[term] = 0;
      return this.count(term);
    }
    const at = findPair(list, count, doc);
    if (at < 0) return count;
    list.copyWithin(at, at + 2, count * 2);
    this.#count[term] = count - 1;
    if (count - 1 === 0) this.#lists[term] = undefined;
    else if (list.length > INITIAL_LIST && (count - 1) * 4 < list.length) this.#lists[term] = list.slice(0, count * 2);
    return count - 1;
  }

  /** Calls `visit` for each posting of the term, in ascending doc order. */
  forEach(term: number, visit: PostingVisitor): void {
    const count = this.count(term);
    const list = this.#lists[term];
    if (list === undefined) {
      if (count === 1) visit(this.#soloDoc[term] ?? 0, this.#soloPacked[term] ?? 0);
      return;
    }
    for (let i = 0; i < count * 2; i += 2) visit(list[i] ?? 0, list[i + 1] ?? 0);
  }

  #reserve(term: number): void {
    if (term < this.#count.length) return;
    const size = Math.max(term + 1, this.#count.length * 2);
    this.#count = grow(this.#count, size);
    this.#soloDoc = grow(this.#soloDoc, size);
    this.#soloPacked = grow(this.#soloPacked, size);
  }
}

function grow(array: Int32Array, size: number): Int32Array {
  const grown = new Int32Array(size);
  grown.set(array);
  return grown;
}

/** Binary search over the first `count` (doc, packed) pairs; the pair's index or -1. */
function findPair(list: Int32Array, count: number, doc: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = list[mid * 2] ?? -1;
    if (value === doc) return mid * 2;
    if (value < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
