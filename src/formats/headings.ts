// Headings of Markdown, reStructuredText and AsciiDoc documents, and the sections they delimit.
// Keeps the exhaustion rule: line scanners only (no backtracking-prone regexes on document text),
// at most MAX_HEADINGS headings, titles cut to MAX_TITLE characters.

import { extensionOf } from '../policy/path_rules.ts';
import { frontMatterClose, type Lines } from './front_matter.ts';

export type Heading = { readonly level: number; readonly title: string; readonly line: number }; // line is 1-based
export type DocFormat = 'markdown' | 'rst' | 'asciidoc' | 'text';

const MAX_HEADINGS = 10_000;
const MAX_TITLE = 200;
// docutils' adornment characters (any non-alphanumeric printable 7-bit character).
const RST_ADORNMENT = new Set(Array.from('=-~^"\'`#*+:._<>!$%&(),/;?@[\\]{|}'));

export function formatOf(path: string): DocFormat {
  switch (extensionOf(path)) {
    case 'md': case 'markdown': case 'mdx': return 'markdown';
    case 'rst': case 'rest': return 'rst';
    case 'adoc': case 'asciidoc': case 'asc': return 'asciidoc';
    default: return 'text';
  }
}

/** A slice at a time: `tick` runs every 4,096 lines or 1 M characters (a document may have millions of them). */
export async function parseHeadingsInSlices(lines: Lines, format: DocFormat, tick: () => Promise<void>) {
  const out: Heading[] = [];
  const push = (level: number, title: string, index: number): boolean => {
    const cut = Array.from(title.trim().slice(0, 2 * MAX_TITLE + 2)).slice(0, MAX_TITLE).join(''); // no 24 MB arrays
    if (cut.length > 0) out.push({ level, title: cut, line: index + 1 });
    return out.length < MAX_HEADINGS;
  };
  const scan = { markdown: scanMarkdown, rst: scanRst, asciidoc: scanAsciidoc, text: undefined }[format];
  for (const _pause of scan?.(lines, push) ?? []) await tick();
  return out;
}

type Push = (level: number, title: string, index: number) => boolean;

/** Whether a scan pauses before this line: every 4,096 lines, and every 1 M characters, since each line is walked
 * whole (a 60 MB file of 3,000 lines of 20,000 dashes was one step of 1.1 s: outside attack). */
function pacer(): (line: string) => boolean {
  let [lines, chars] = [0, 0];
  return (line) => (++lines < 4096 && (chars += line.length) < 1 << 20 ? false : (([lines, chars] = [0, 0]), true));
}

function indentOf(line: string): number {
  let n = 0;
  while (n < 4 && line[n] === ' ') n++; // 4 is "indented" wherever it is compared: a line of 60 M blanks is not walked
  return line[n] === '\t' ? 4 : n;
}

/** `# Title #` → [1, 'Title'] when `marker` opens an ATX-style heading (up to 3 spaces indent). */
function atx(line: string, marker: '#' | '='): readonly [number, string] | null {
  const start = indentOf(line);
  if (start > 3 || (marker === '=' && start > 0)) return null;
  let end = start;
  while (line[end] === marker) end++;
  const level = end - start;
  const after = line[end];
  if (level < 1 || level > 6 || (after !== undefined && after !== ' ' && after !== '\t')) return null;
  let title = line.slice(end).trim();
  let close = title.length;
  while (close > 0 && title[close - 1] === marker) close--;
  if (close === 0) title = '';
  else if (close < title.length && /[ \t]/.test(title.charAt(close - 1))) title = title.slice(0, close).trim();
  return [level, title];
}

/** Length of a run of one character of `chars` filling the trimmed line after at most `maxIndent` spaces; 0 if none. */
function runOf(line: string, chars: string, maxIndent: number): number {
  const body = line.trimEnd();
  const start = indentOf(body);
  if (start > maxIndent || start >= body.length) return 0;
  const c = body[start] as string;
  if (!chars.includes(c)) return 0;
  for (let k = start + 1; k < body.length; k++) if (body[k] !== c) return 0;
  return body.length - start;
}

/** Three or more of one of - * _ with spaces between; a character scan, no copies. A line of over 1 M characters
 * is none: a 60 MB line of "- " was one step of 0.6 s, walked by every read of its uncached file (outside attack). */
function isThematicBreak(line: string): boolean {
  const mark = line[indentOf(line)] ?? 'x';
  if (indentOf(line) > 3 || !'-*_'.includes(mark) || line.length > 1 << 20) return false;
  let n = 0;
  for (const c of line) if (c === mark) n++; else if (c !== ' ' && c !== '\t') return false;
  return n >= 3;
}

function isListItem(line: string): boolean {
  return /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/.test(line.trimStart());
}

/** A ``` or ~~~ fence line (run of 3 or more, up to 3 spaces indent) with its info string. */
function fenceOf(line: string): { readonly char: string; readonly length: number; readonly info: string } | null {
  const start = indentOf(line);
  const char = line[start];
  if (start > 3 || (char !== '`' && char !== '~')) return null;
  let end = start;
  while (line[end] === char) end++;
  return end - start >= 3 ? { char, length: end - start, info: line.slice(end) } : null;
}

function* scanMarkdown(lines: Lines, push: Push): Generator<void> {
  const due = pacer();
  let fence: { readonly char: string; readonly length: number } | null = null; // the open code fence
  // Paragraph state for setext: index of its first line, or -1 when there is no open paragraph, or
  // -2 inside a list item or block quote paragraph (whose underline would not make a heading here).
  let para = -1;
  // Front matter is skipped: its `---` is no underline.
  for (let i = frontMatterClose(lines) + 1; i < lines.length; i++) {
    const line = lines.at(i) as string;
    if (due(line)) yield;
    const f = fenceOf(line);
    if (fence !== null) {
      if (f !== null && f.char === fence.char && f.length >= fence.length && f.info.trim() === '') fence = null;
      continue;
    }
    if (f !== null && (f.char === '~' || !f.info.includes('`'))) { fence = f; para = -1; continue; }
    if (line.trim() === '') { para = -1; continue; }
    const setext = runOf(line, '=-', 3);
    if (setext > 0 && para >= 0) {
      const joined = Math.min(i - para, 2 * MAX_TITLE + 2); // enough for a cut title: not a 4 M-line paragraph
      const title = Array.from({ length: joined }, (_, k) => (lines.at(para + k) as string).trim()).join(' ');
      if (!push(line.trimStart()[0] === '=' ? 1 : 2, title, para)) return;
      para = -1;
      continue;
    }
    const heading = atx(line, '#');
    if (heading !== null) {
      if (!push(heading[0], heading[1], i)) return;
      para = -1;
    } else if (isThematicBreak(line)) para = -1;
    else if (isListItem(line) || line.trimStart().startsWith('>')) para = -2;
    else if (para === -1 && indentOf(line) < 4) para = i;
  }
}

function* scanRst(lines: Lines, push: Push): Generator<void> {
  const due = pacer();
  const styles: string[] = [];
  const levelOf = (style: string): number => {
    if (!styles.includes(style)) styles.push(style);
    return styles.indexOf(style) + 1;
  };
  // An adornment line: one punctuation character repeated from column 0; '' when the line is not one.
  const adornment = (line: string | undefined): string => {
    const c = line?.[0];
    return line !== undefined && c !== undefined && RST_ADORNMENT.has(c) && runOf(line, c, 0) > 0 ? line.trimEnd() : '';
  };
  const width = (s: string): number => Array.from(s.trim().slice(0, 4 * MAX_TITLE)).length; // longer: wide enough
  for (let i = 0; i + 1 < lines.length; i++) {
    const title = lines.at(i + 1) as string;
    if (due(title)) yield;
    const over = adornment(lines.at(i));
    if (over !== '' && title.trim() !== '' && adornment(title) === '') {
      const under = adornment(lines.at(i + 2));
      if (under[0] === over[0] && under.length >= width(title) && over.length >= width(title)) {
        if (!push(levelOf(`${over[0]}o`), title, i + 1)) return;
        i += 2;
        continue;
      }
    }
    const line = lines.at(i) as string;
    const under = adornment(title);
    if (under !== '' && over === '' && indentOf(line) === 0 && line.trim() !== '' && under.length >= width(line)) {
      if (!push(levelOf(`${under[0]}u`), line, i)) return;
      i += 1;
    }
  }
}

function* scanAsciidoc(lines: Lines, push: Push): Generator<void> {
  const due = pacer();
  let block = ''; // the delimiter line of the open listing/literal/passthrough/comment block
  for (let i = 0; i < lines.length; i++) {
    const whole = lines.at(i) as string;
    if (due(whole)) yield;
    const line = whole.trimEnd();
    if (block !== '') {
      if (line === block) block = '';
      continue;
    }
    if (line.length >= 4 && runOf(line, '-.+/', 0) === line.length) { block = line; continue; }
    const heading = atx(line, '=') ?? atx(line, '#');
    if (heading !== null && !push(heading[0], heading[1], i)) return;
  }
}

/** Lines of the section headed by headings[index]: up to the next heading of the same or higher rank. */
export function sectionRange(
  headings: readonly Heading[], index: number, totalLines: number,
): { startLine: number; endLine: number } {
  const own = headings[index];
  if (own === undefined) throw new RangeError('Cannot find section: heading index out of range');
  let endLine = totalLines;
  for (let k = index + 1; k < headings.length; k++) {
    const next = headings[k] as Heading;
    if (next.level <= own.level) { endLine = next.line - 1; break; }
  }
  return { startLine: own.line, endLine: Math.max(own.line, Math.min(endLine, totalLines)) };
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
}

/** Index of the heading named by `wanted` (title or GitHub-style slug, leading '#'s allowed), or -1. */
export function findHeading(headings: readonly Heading[], wanted: string): number {
  const want = wanted.trim().replace(/^#+/, '').trim().toLowerCase();
  if (want === '') return -1;
  const wantSlug = slug(want);
  const titles = headings.map((h) => h.title.trim().toLowerCase());
  const exact = titles.indexOf(want);
  if (exact >= 0) return exact;
  if (wantSlug === '') return -1;
  const slugs = titles.map(slug);
  const bySlug = slugs.indexOf(wantSlug);
  if (bySlug >= 0) return bySlug;
  const prefixed = [...titles.keys()].filter((k) => titles[k]?.startsWith(want) || slugs[k]?.startsWith(wantSlug));
  return prefixed.length === 1 ? (prefixed[0] as number) : -1;
}
