// BM25 arithmetic for the words mode: idf, length normalisation and saturation. The field weights
// (BM25F: boosted field frequencies summed first, then saturated) live with the ranking in word_rank.ts.

const K1 = 1.2;
const B = 0.75;

/** Robertson-Sparck Jones idf, always positive: ln(1 + (N - df + 0.5) / (df + 0.5)). */
export function idf(docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5));
}

/** BM25 length normalisation of a body, 1 for an average-length body. */
export function bodyNorm(bodyLength: number, averageBodyLength: number): number {
  return averageBodyLength > 0 ? 1 - B + (B * bodyLength) / averageBodyLength : 1;
}

/** One term's contribution from its weighted frequency over all fields: saturates towards (K1 + 1) x idf. */
export function saturate(weighted: number, termIdf: number): number {
  return weighted > 0 ? (termIdf * weighted * (K1 + 1)) / (weighted + K1) : 0;
}
