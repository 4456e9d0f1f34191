// The unit the words mode ranks: a section is a heading with its body up to the next heading, named by
// its heading path (the enclosing headings, outermost first). A subsection is a section of its own, so
// a parent never repeats its children's text and the most specific heading answers. Text before the
// first heading is a section without a title; a file without headings is cut into fixed windows.
import { parseFrontMatter } from '../formats/front_matter.ts';
import type { Heading } from '../formats/headings.ts';
import { tokenize } from './tokenize.ts';

export type Section = {
  /** 1-based first and last line; the first is the heading's line when it has one. */
  readonly line: number;
  readonly endLine: number;
  readonly title: string | null;
  /** Titles of the enclosing headings, outermost first; the section's own title is not repeated. */
  readonly path: readonly string[];
};

/** A text's sections with what ranking needs of them, built once per cached text. */
export type SectionIndex = {
  readonly sections: readonly Section[];
  /** UTF-16 offset where each section starts, ascending. */
  readonly offsets: readonly number[];
  /** Approximate length of each section in tokens. */
  readonly lengths: readonly number[];
  /** Tokens of the document's title (front matter `title`, else the first heading). */
  readonly title: readonly string[];
  /** Tokens of each section's own heading, and of its enclosing headings below the document title. */
  readonly own: readonly (readonly string[])[];
  readonly parents: readonly (readonly string[])[];
};

const WINDOW_LINES = 40;
const CHARS_PER_TOKEN = 6;
const MAX_DEPTH = 8; // heading paths deeper than this keep their innermost levels

/** Offsets of every line start: [0, after first \n, ...]. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Sections of a text of `lineCount` lines with these headings (in line order). */
export function splitSections(headings: readonly Heading[], lineCount: number): Section[] {
  const out: Section[] = [];
  if (headings.length === 0) {
    for (let line = 1; line <= lineCount; line += WINDOW_LINES) {
      out.push({ line, endLine: Math.min(lineCount, line + WINDOW_LINES - 1), title: null, path: [] });
    }
    return out;
  }
  const first = headings[0] as Heading;
  if (first.line > 1) out.push({ line: 1, endLine: first.line - 1, title: null, path: [] });
  const open: Heading[] = []; // the enclosing headings of the next one
  headings.forEach((h, k) => {
    while (open.length > 0 && (open[open.length - 1] as Heading).level >= h.level) open.pop();
    const endLine = k + 1 < headings.length ? (headings[k + 1] as Heading).line - 1 : lineCount;
    const path = open.slice(-MAX_DEPTH).map((o) => o.title);
    out.push({ line: h.line, endLine: Math.max(h.line, endLine), title: h.title, path });
    open.push(h);
  });
  return out;
}

/** The index of one text: sections, where they start, their lengths and their heading tokens. */
export function indexSections(text: string, lines: readonly string[], headings: readonly Heading[]): SectionIndex {
  const sections = splitSections(headings, lines.length);
  const starts = lineStarts(text);
  const offsets = sections.map((s) => starts[s.line - 1] ?? text.length);
  const lengths = offsets.map((o, k) => ((offsets[k + 1] ?? text.length) - o) / CHARS_PER_TOKEN);
  const docTitle = parseFrontMatter(lines)?.fields['title'] ?? headings[0]?.title ?? '';
  return {
    sections, offsets, lengths, title: tokenize(docTitle),
    own: sections.map((s) => (s.title === null ? [] : tokenize(s.title))),
    // The document title is already a field of its own: parents start below it.
    parents: sections.map((s) => s.path.filter((p) => p !== headings[0]?.title).flatMap((p) => tokenize(p))),
  };
}

/** A term's candidates (`re`, global) and the boundary test that keeps one (word_rank.ts, termMatcher). */
export type TermMatcher = { readonly re: RegExp; readonly at: (text: string, index: number) => boolean };

// Texts are scanned a window at a time, awaiting `tick` between windows: one regex pass over a 64 MiB
// one-line file would otherwise hold the event loop for a second. A match starting in a window is whole
// within its OVERLAP (terms are at most 64 characters, with alternates); the lookbehind sees LEAD before.
const WINDOW = 1 << 19;
const OVERLAP = 512;
const LEAD = 2;

/** Calls `visit` with the offset of each match `at` confirms, in order, until it returns false. */
export async function eachMatch(
  { re, at }: TermMatcher, text: string, tick: () => Promise<void>, visit: (index: number) => boolean,
): Promise<void> {
  for (let from = 0; from < text.length; from += WINDOW) {
    await tick();
    const lead = Math.min(from, LEAD);
    const piece = text.slice(from - lead, from + WINDOW + OVERLAP);
    re.lastIndex = lead;
    for (let m = re.exec(piece); m !== null && m.index < lead + WINDOW; m = re.exec(piece)) {
      if (at(text, from - lead + m.index) && !visit(from - lead + m.index)) return;
    }
  }
}

/** Counts per section of the matches `at` confirms (capped at `max` per section), or null when none. */
export async function countBySection(
  term: TermMatcher, text: string, offsets: readonly number[], max: number, tick: () => Promise<void>,
): Promise<Uint16Array | null> {
  let counts: Uint16Array | null = null;
  let k = 0;
  await eachMatch(term, text, tick, (index) => {
    while (k + 1 < offsets.length && (offsets[k + 1] as number) <= index) k++;
    counts ??= new Uint16Array(offsets.length);
    if ((counts[k] as number) < max) counts[k] = (counts[k] as number) + 1;
    return true;
  });
  return counts;
}

/** Titles from the outermost heading down to the one holding `line` (headings in line order). */
export function headingPathAt(headings: readonly Heading[], line: number): string[] {
  const s = splitSections(headings.filter((h) => h.line <= line), line).pop();
  return s?.title ? [...s.path, s.title] : [];
}
