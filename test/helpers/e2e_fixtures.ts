// Shared fixtures for the tool e2e suites: the Node.js API docs corpus, a small multi-format tree
// with exact content, a config builder and wire-level checks on what the server wrote to stdout.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Client, Json } from './harness.ts';
import { makeTree, tempDir } from './fixtures.ts';

export const CORPUS = '/work/shared/corpora/node-api.tar.gz';

/** Extracts the Node.js API corpus into a new temp folder and returns the folder holding the pages. */
export function extractNodeApi(): string {
  const dir = tempDir('dw-nodeapi-');
  const r = spawnSync('tar', ['-xzf', CORPUS, '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return join(dir, 'node-api');
}

/** A config naming each root; rate limiting off so suites can make many calls quickly. */
export function configFor(roots: Readonly<Record<string, string>>, limits: Json = {}, files: Json = {}): Json {
  return {
    roots: Object.entries(roots).map(([name, path]) => ({ name, path })),
    limits: { callsPerMinute: 0, ...limits },
    ...(Object.keys(files).length > 0 ? { files } : {}),
  };
}

export const MARKDOWN = [
  '---',
  'title: Introduction',
  'tags:',
  '  - start',
  '  - basics',
  'draft: false',
  '---',
  '# Introduction',
  '',
  'Welcome text.',
  '',
  'Setext Title',
  '============',
  '',
  'Setext body line.',
  '',
  'Sub Setext',
  '----------',
  '',
  'Sub body.',
  '',
  '## ATX Section',
  '',
  'ATX body.',
  '',
  '# Last',
  '',
  'Final words.',
].join('\n') + '\n';

export const RST = [
  '=========',
  'Doc Title',
  '=========',
  '',
  'Intro para.',
  '',
  'Install',
  '=======',
  '',
  'Install body.',
  '',
  'Configure',
  '---------',
  '',
  'Configure body.',
  '',
  'Usage',
  '=====',
  '',
  'Usage body.',
].join('\n') + '\n';

export const ADOC = [
  '= Book Title',
  ':author: Someone',
  '',
  'Preamble.',
  '',
  '== Chapter One',
  '',
  'One body.',
  '',
  '=== Detail',
  '',
  'Detail body.',
  '',
  '== Chapter Two',
  '',
  'Two body.',
].join('\n') + '\n';

/** The small exact tree: Markdown, reStructuredText and AsciiDoc with headings and front matter. */
export function smallTree(base?: string): string {
  return makeTree({
    'guide/intro.md': MARKDOWN,
    'guide/install.md': '# Install\n\nRun it.\n',
    'guide/deep/nested.md': '# Nested\n\nDeep down.\n',
    'manual.rst': RST,
    'book.adoc': ADOC,
    'fs.md': '# fs\n\nFile system.\n',
    'path.md': '# path\n\nPaths.\n',
    'os.md': '# os\n\nOperating system.\n',
    'api.md': '# API\n',
    'build.md': '# Build\n',
    'changelog.md': '# Changelog\n',
    'notes.txt': 'plain text notes\n',
    'empty.md': '',
  }, base);
}

/** Every line the server wrote to stdout, as raw text (protocol lines only). */
export function stdoutLines(c: Client): string[] {
  return c.stdout.split('\n').filter((l) => l !== '');
}

/** Byte length (UTF-8) of the longest stdout line. */
export function longestLineBytes(c: Client): number {
  let max = 0;
  for (const l of stdoutLines(c)) max = Math.max(max, Buffer.byteLength(l, 'utf8'));
  return max;
}

export type ToolReply = Json & { content: Json[]; structuredContent?: Json; isError?: boolean };

export function sc(r: ToolReply): Json {
  const page = r.isError ? null : readDocPage(r);
  if (page !== null) return page;
  if (r.isError || r.structuredContent === undefined)
    throw new Error(`expected a structured success, got ${JSON.stringify(r).slice(0, 400)}`);
  return r.structuredContent;
}

/** A read_doc reply carries its page only in the text block (no structuredContent): this reads the page
 * back from that text, strictly (header, framed text, continuation), or null for any other reply. */
export function readDocPage(r: ToolReply): Json | null {
  const t = String(r.content[0]?.['text'] ?? '');
  const m =
    /^(\S+?):(.+) — (?:lines (\d+)-(\d+)|no lines)(?: of (\d+))?(?: \(section (".*")\))?\n<<<document \1:\2 \[([0-9a-f]{12})\]\n/
      .exec(t);
  if (r.structuredContent !== undefined || m === null) return null;
  const end = `\n>>>end of document ${m[1]}:${m[2]} [${m[7]}]`;
  const stop = t.lastIndexOf(end);
  if (stop < m[0].length - 1) throw new Error(`read_doc page without its closing frame: ${t.slice(0, 200)}`);
  const rest = t.slice(stop + end.length);
  const next = /^\nMore: call read_doc again with the same arguments and cursor "([^"]+)"$/.exec(rest);
  if (rest !== '' && next === null) throw new Error(`unexpected text after the page: ${rest.slice(0, 200)}`);
  const startLine = m[3] === undefined ? null : Number(m[3]);
  return {
    root: m[1],
    path: m[2],
    startLine,
    endLine: m[4] === undefined ? null : Number(m[4]),
    totalLines: m[5] === undefined ? null : Number(m[5]),
    heading: m[6] === undefined ? null : JSON.parse(m[6]),
    text: t.slice(m[0].length, Math.max(m[0].length, stop)),
    nextCursor: next?.[1] ?? null,
  };
}
