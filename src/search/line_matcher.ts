// Literal and regex matching for search_docs: at most one match per line, over a whole text. Literal
// queries go to the native engine escaped (nothing to backtrack); regex queries to the bounded Pike VM,
// run in steps so that a long line yields to the event loop like any other long work (sched/slice.ts).
import { failure } from '../errors/failure.ts';
import type { Slicer } from '../sched/slice.ts';
import { compileSafeRegex } from './safe_regex.ts';

export type Match = { readonly index: number; readonly length: number };
/** Calls `onMatch` per match in text order until it returns false; yields through `slice` meanwhile. */
export type TextMatcher = (text: string, slice: Slicer, onMatch: (m: Match) => boolean) => Promise<void>;

/** VM thread steps between two looks at the clock: well under a millisecond of work. */
const VM_STEP_WORK = 20_000;

const literally = (s: string, flags: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);

export function lineMatcher(mode: 'literal' | 'regex', query: string, caseSensitive: boolean): TextMatcher {
  if (mode === 'literal') {
    // An escaped literal cannot backtrack; the native engine scans it fast.
    const re = literally(query, caseSensitive ? 'gu' : 'giu');
    return async (text, slice, onMatch) => {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (!onMatch({ index: m.index, length: m[0].length })) return;
        const nl = text.indexOf('\n', m.index + Math.max(1, m[0].length));
        if (nl === -1) return;
        if (slice.due()) await slice.pause(); // `re` is this search's own: safe across the pause
        re.lastIndex = nl + 1;
      }
    };
  }
  let safe: ReturnType<typeof compileSafeRegex>;
  try {
    safe = compileSafeRegex(query, { caseSensitive });
  } catch (err) {
    const why = err instanceof Error ? err.message : 'invalid regex';
    throw failure('invalid_argument', `Invalid arguments: \`query\`: ${why}`);
  }
  const needle = safe.requiredLiteral; // ASCII lowercased or caseless: the native engine's /i folds it as the VM does
  const hint = needle === null ? null : literally(needle, caseSensitive ? 'g' : 'gi');
  return async (text, slice, onMatch) => {
    for (let start = 0; start <= text.length;) {
      if (hint !== null) { // on to the next line holding the literal: no lowercased copy of a 60 MB text
        hint.lastIndex = start;
        const at = hint.exec(text)?.index;
        if (at === undefined) return;
        start = text.lastIndexOf('\n', at - 1) + 1;
      }
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const scan = safe.scan(text.slice(start, end));
      let m;
      while ((m = scan.step(VM_STEP_WORK)) === undefined) if (slice.due()) await slice.pause();
      if (m && !onMatch({ index: start + m.index, length: m.length })) return;
      if (slice.due()) await slice.pause();
      start = end + 1;
    }
  };
}
