// The unit the words mode ranks: a section is a heading with its body up to the next heading, named by
// its heading path (the enclosing headings, outermost first). A subsection is a section of its own, so
// a parent never repeats its children's text and the most specific heading answers. Text before the
// first heading is a section without a title; a file without headings is cut into fixed windows.
import type { LineTable } from '../document/document.ts';
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
  /** About how many bytes it holds, with the per-section term counts a search may keep (the search cache's charge). */
  readonly bytes: number;
};

const WINDOW_LINES = 40;
const CHARS_PER_TOKEN = 6;
const MAX_DEPTH = 8; // heading paths deeper than this keep their innermost levels

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

/**
 * The index of one text: sections, where they start, their lengths and their heading tokens, `tick` every 256
 * headings. Each title is tokenized once and a section's parent tokens are its enclosing section's array,
 * shared (at most MAX_PARENT_TOKENS, innermost first: ranking asks only whether a term is there), so ten
 * thousand headings under long titles cost what their text costs, not titles times sections (outside attack).
 */
export async function indexSections(
  text: string, lines: LineTable, headings: readonly Heading[], tick = () => Promise.resolve(),
): Promise<SectionIndex> {
  const sections = splitSections(headings, lines.length);
  const offsets = sections.map((s) => lines.start(s.line - 1));
  let bytes = sections.length * SECTION_BYTES;
  const lengths = offsets.map((o, k) => ((offsets[k + 1] ?? text.length) - o) / CHARS_PER_TOKEN);
  const docTitle = parseFrontMatter(lines)?.fields['title'] ?? headings[0]?.title ?? '';
  const own: (readonly string[])[] = sections.map(() => NONE);
  const parents: (readonly string[])[] = sections.map(() => NONE);
  const shift = sections.length - headings.length; // 1 when text precedes the first heading (no windows here)
  const tokens = new Map<string, readonly string[]>(); // each distinct title tokenized once
  const pool = new Map<string, string>(); // each distinct token one string: 10,000 titles of 200 one-letter words
  const intern = (w: string) => pool.get(w) ?? (pool.set(w, w), w); // held 52 MB as separate strings (outside attack)
  const tokensOf = (t: string) => tokens.get(t) ??
    (tokens.set(t, tokenize(t).slice(0, MAX_TITLE_TOKENS).map(intern)), tokens.get(t) as readonly string[]);
  const open: { level: number; title: string; up: readonly string[]; below?: readonly string[] }[] = [];
  for (const [k, h] of headings.entries()) {
    if (k % 256 === 0) await tick();
    while (open.length > 0 && (open[open.length - 1] as (typeof open)[number]).level >= h.level) open.pop();
    const p = open[open.length - 1];
    // The document title is already a field of its own: parents start below it.
    if (p) p.below ??= p.title === headings[0]?.title ? p.up : [...new Set([...tokensOf(p.title), ...p.up])]
      .slice(0, MAX_PARENT_TOKENS);
    [own[k + shift], parents[k + shift]] = [tokensOf(h.title), p?.below ?? NONE];
    open.push({ level: h.level, title: h.title, up: p?.below ?? NONE });
  }
  // Each title's tokens, each distinct token, each distinct parent array.
  for (const t of tokens.values()) bytes += ARRAY_BYTES + 8 * t.length;
  for (const w of pool.keys()) bytes += ARRAY_BYTES + w.length;
  for (const a of new Set(parents)) bytes += ARRAY_BYTES + 8 * a.length;
  return { sections, offsets, lengths, title: tokenize(docTitle), own, parents, bytes };
}

const NONE: readonly string[] = [];
const MAX_PARENT_TOKENS = 32;
const MAX_TITLE_TOKENS = 32; // a title's first 32 tokens (a long signature has about 10)
// What V8 holds (64-bit; with the headings' charge 0.9 to 1.4 times what --expose-gc measured on node-api and
// planted heading chains): a section object, its path array, its slots in the five
// arrays, and 16 term counts of 2 bytes (word_rank.ts keeps them per term); an array's header, a string's.
const SECTION_BYTES = 240;
const ARRAY_BYTES = 32;

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
