// Snippet selection for word-search hits: the lines holding the most distinct query terms.
// Keeps the response-size rule: each snippet is cut to 240 characters around its first match.

import type { Lines } from '../formats/front_matter.ts';
import { forEachToken } from './tokenize.ts';

const SNIPPET_CHARS = 240;
// Only a line's head is tokenized for its terms: a 24 MB one-line file is one line (docs/security.md, "Time").
const SCAN_CHARS = 1 << 16;
// How much of the window goes before the first match when a long line has to be cut.
const LEAD_CHARS = 60;
const ELLIPSIS = '…';

/** `line` and `column` are 1-based; `column` counts UTF-16 code units of the untrimmed line. */
export type Snippet = {
  readonly line: number;
  readonly column: number;
  readonly text: string;
};

type LineMatch = { readonly index: number; readonly distinct: number; readonly offset: number };
/** Best first (a stable sort: equal counts keep document order), the first `max` kept. */
const keepBest = (m: LineMatch[], max: number) => void m.sort((a, b) => b.distinct - a.distinct).splice(max);

/**
 * Up to `max` lines holding the most distinct `terms` (tokens as `tokenize` makes them) in their first
 * SCAN_CHARS characters, best first, earlier lines first among equals; `tick` runs before each line.
 */
export async function bestSnippets(
  lines: Lines, terms: readonly string[], max: number, tick: () => Promise<void> = async () => {},
): Promise<Snippet[]> {
  if (!(max >= 1) || terms.length === 0) return [];
  const wanted = new Set(terms);
  const matches: LineMatch[] = [];
  // Tokenizing is the costly part: only lines where some term could start are tokenized.
  const maybe = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
  for (let index = 0; index < lines.length; index++) {
    await tick();
    const whole = lines.at(index) ?? '';
    const line = whole.length > SCAN_CHARS ? whole.slice(0, SCAN_CHARS) : whole;
    if (!maybe.test(line)) continue;
    const found = new Set<string>();
    let offset = -1;
    forEachToken(line, (token, at) => {
      if (!wanted.has(token)) return;
      found.add(token);
      if (offset < 0 || at < offset) offset = at;
    });
    if (found.size > 0) matches.push({ index, distinct: found.size, offset });
    if (matches.length > 4 * max + 64) keepBest(matches, max); // 4 M matching lines: `max` kept, not 4 M
  }
  keepBest(matches, max);
  return matches.map((match) => ({
    line: match.index + 1, column: match.offset + 1, text: cutAround(lines.at(match.index) ?? '', match.offset),
  }));
}

/** The trimmed line, or a 240-character window of it around `offset` with "…" where it was cut. */
function cutAround(line: string, offset: number): string {
  const start = line.length - line.trimStart().length;
  const text = line.trim();
  if (text.length <= SNIPPET_CHARS) return text;
  const at = Math.max(0, offset - start);
  // Room for the text once the ellipses are counted: one at each cut end.
  let from = Math.max(0, Math.min(at - LEAD_CHARS, text.length - SNIPPET_CHARS));
  if (from > 0) from = Math.min(from + 1, text.length - (SNIPPET_CHARS - 1));
  const width = SNIPPET_CHARS - (from > 0 ? 1 : 0);
  let to = Math.min(text.length, from + width);
  if (to < text.length) to--;
  from = avoidSplitPair(text, from, 1);
  to = avoidSplitPair(text, to, -1);
  return `${from > 0 ? ELLIPSIS : ''}${text.slice(from, to)}${to < text.length ? ELLIPSIS : ''}`;
}

/** Moves a cut point off the middle of a surrogate pair, by `step` (1 or -1). */
function avoidSplitPair(text: string, index: number, step: 1 | -1): number {
  const code = text.charCodeAt(index);
  return index > 0 && index < text.length && code >= 0xdc00 && code <= 0xdfff ? index + step : index;
}
