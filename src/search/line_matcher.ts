// Literal and regex matching for search_docs: at most one match per line, over a whole text. Literal
// queries go to the native engine escaped (nothing to backtrack); regex queries to the bounded Pike VM.
import { failure } from '../errors/failure.ts';
import { compileSafeRegex } from './safe_regex.ts';

export type Match = { readonly index: number; readonly length: number };

/** Yields match offsets over a whole text, at most one per line. */
export function lineMatcher(mode: 'literal' | 'regex', query: string, caseSensitive: boolean): (text: string) => Iterable<Match> {
  if (mode === 'literal') {
    // An escaped literal cannot backtrack; the native engine scans it fast.
    const re = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), caseSensitive ? 'gu' : 'giu');
    return function* (text) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        yield { index: m.index, length: m[0].length };
        const nl = text.indexOf('\n', m.index + Math.max(1, m[0].length));
        if (nl === -1) return;
        re.lastIndex = nl + 1;
      }
    };
  }
  let rx;
  try {
    rx = compileSafeRegex(query, { caseSensitive });
  } catch (err) {
    throw failure('invalid_argument', `Invalid arguments: \`query\`: ${err instanceof Error ? err.message : 'invalid regex'}`);
  }
  const safe = rx;
  const needle = safe.requiredLiteral;
  return function* (text) {
    const hay = needle !== null && !caseSensitive ? text.toLowerCase() : text;
    if (needle !== null && hay.indexOf(needle) === -1) return;
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (needle === null || hay.slice(start, end).includes(needle)) {
        const m = safe.exec(text.slice(start, end));
        if (m) yield { index: start + m.index, length: m.length };
      }
      if (end === text.length) return;
      start = end + 1;
    }
  };
}
