// BM25F weights for the words mode: per-field term counts packed in one small integer, idf and
// saturation. Pure arithmetic; the caps keep every packed value a small integer whatever the input.

const K1 = 1.2;
const B = 0.75;
// A term in the title counts ~4x a body mention, in the path ~3x, in a heading ~2x.
const TITLE_BOOST = 4;
const HEADING_BOOST = 2;
const PATH_BOOST = 3;
// Fraction of the co-occurring terms' idf added when several query terms share one title or heading.
const NAME_COOCCURRENCE = 0.5;
const HEADING_COOCCURRENCE = 0.25;

// Bit layout of a packed count (26 bits, so it stays a V8 small integer in plain arrays):
// body 0-13, title 14-16, headings 17-22, path 23-25.
const BODY_MAX = 0x3fff;
const TITLE_MAX = 0x7;
const HEADING_MAX = 0x3f;
const PATH_MAX = 0x7;
const TITLE_SHIFT = 14;
const HEADING_SHIFT = 17;
const PATH_SHIFT = 23;

/** How often one term occurs in each field of one document. */
export type FieldCounts = { body: number; title: number; heading: number; path: number };

/** Packs field counts into one integer, each count capped to its field width. */
export function packCounts(counts: Readonly<FieldCounts>): number {
  return (
    Math.min(counts.body, BODY_MAX) +
    Math.min(counts.title, TITLE_MAX) * 2 ** TITLE_SHIFT +
    Math.min(counts.heading, HEADING_MAX) * 2 ** HEADING_SHIFT +
    Math.min(counts.path, PATH_MAX) * 2 ** PATH_SHIFT
  );
}

/** The inverse of `packCounts` (for capped values). */
export function unpackCounts(packed: number): FieldCounts {
  return {
    body: packed & BODY_MAX,
    title: (packed >>> TITLE_SHIFT) & TITLE_MAX,
    heading: (packed >>> HEADING_SHIFT) & HEADING_MAX,
    path: (packed >>> PATH_SHIFT) & PATH_MAX,
  };
}

/** True when the term occurs in the title or the path: the document's "name". */
export function inName(packed: number): boolean {
  return ((packed >>> TITLE_SHIFT) & TITLE_MAX) > 0 || ((packed >>> PATH_SHIFT) & PATH_MAX) > 0;
}

/** Robertson-Sparck Jones idf, always positive: ln(1 + (N - df + 0.5) / (df + 0.5)). */
export function idf(docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5));
}

/** BM25 length normalisation of the body, 1 for an average-length body. */
export function bodyNorm(bodyLength: number, averageBodyLength: number): number {
  return averageBodyLength > 0 ? 1 - B + (B * bodyLength) / averageBodyLength : 1;
}

/** One term's contribution: boosted field frequencies summed first, then saturated (BM25F). */
export function termScore(packed: number, norm: number, termIdf: number): number {
  const weighted =
    (packed & BODY_MAX) / norm +
    TITLE_BOOST * ((packed >>> TITLE_SHIFT) & TITLE_MAX) +
    HEADING_BOOST * ((packed >>> HEADING_SHIFT) & HEADING_MAX) +
    PATH_BOOST * ((packed >>> PATH_SHIFT) & PATH_MAX);
  return (termIdf * weighted * (K1 + 1)) / (weighted + K1);
}

/** Bonus when `count` distinct query terms (idf sum `idfSum`) share the title/path or one heading. */
export function cooccurrenceBonus(where: 'name' | 'heading', count: number, idfSum: number): number {
  if (count < 2) return 0;
  return (where === 'name' ? NAME_COOCCURRENCE : HEADING_COOCCURRENCE) * idfSum;
}
