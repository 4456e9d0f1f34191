// read_doc, outline_doc and doc_info through the real bundle: whole documents, line ranges, sections by
// heading in three formats, line numbers, paging of large files within the reply budget, cursors that
// notice a changed file; read_doc's page travels once, in the text block (no outputSchema, no structuredContent).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, RUNTIME, startReady } from '../helpers/harness.ts';
import {
  ADOC,
  configFor,
  longestLineBytes,
  MARKDOWN,
  RST,
  sc,
  smallTree,
  stdoutLines,
  type ToolReply,
} from '../helpers/e2e_fixtures.ts';
import { assertConforms, outputSchemas, type SchemaNode } from '../helpers/output_schema.ts';

const REPLY_LIMIT = 102400;
const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n');
const lineOf = (text: string, exact: string): number => lines(text).indexOf(exact) + 1;

describe(`read_doc, outline_doc and doc_info on a small tree (${RUNTIME})`, () => {
  let root: string;
  let c: Client;
  let schemas: Map<string, SchemaNode>;

  before(async () => {
    root = smallTree(tempDir());
    writeFileSync(join(root, 'binary.md'), Buffer.from([0x23, 0x20, 0x41, 0x00, 0x42, 0x0a]));
    c = await startReady({ config: configFor({ docs: root }) });
    schemas = await outputSchemas(c);
  });
  after(async () => {
    await c.close();
  });

  const read = (args: Record<string, unknown>): Promise<ToolReply> => c.call('read_doc', args);

  test('read_doc returns a whole small document with its line count and uri', async () => {
    const r = await read({ path: 'guide/install.md' });
    assert.equal(r.structuredContent, undefined, 'the page travels once, in the text');
    const s = sc(r);
    assert.equal(s['text'], '# Install\n\nRun it.');
    assert.equal(s['startLine'], 1);
    assert.equal(s['endLine'], 3);
    assert.equal(s['totalLines'], 3);
    assert.equal(s['nextCursor'], null);
    const link = r.content.find((b) => b['type'] === 'resource_link');
    assert.deepEqual([link?.['uri'], link?.['mimeType']], ['docs://docs/guide/install.md', 'text/markdown']);
    assert.equal(schemas.get('read_doc'), undefined, 'read_doc declares no outputSchema');
    assert.match(c.textOf(r), /Run it\./);
    assert.ok(r.content.some((b) => b['type'] === 'resource_link' && b['uri'] === 'docs://docs/guide/install.md'));
  });

  test('read_doc returns exactly the lines between startLine and endLine', async () => {
    const s = sc(await read({ path: 'guide/intro.md', startLine: 8, endLine: 10 }));
    assert.equal(s['text'], lines(MARKDOWN).slice(7, 10).join('\n'));
    assert.equal(s['startLine'], 8);
    assert.equal(s['endLine'], 10);
    assert.equal(s['totalLines'], lines(MARKDOWN).length);
    const tail = sc(await read({ path: 'guide/intro.md', startLine: 26 }));
    assert.equal(tail['text'], lines(MARKDOWN).slice(25).join('\n'));
    assert.equal(tail['endLine'], lines(MARKDOWN).length);
  });

  test('read_doc with lineNumbers prefixes every line with its number and a tab', async () => {
    const s = sc(await read({ path: 'guide/intro.md', startLine: 8, endLine: 10, lineNumbers: true }));
    assert.equal(s['text'], lines(MARKDOWN).slice(7, 10).map((l, i) => `${8 + i}\t${l}`).join('\n'));
  });

  const sections: readonly [string, string, string, string, string][] = [
    ['markdown ATX', 'guide/intro.md', MARKDOWN, 'ATX Section', '# Last'],
    ['markdown ATX level 1', 'guide/intro.md', MARKDOWN, 'Introduction', 'Setext Title'],
    ['markdown setext =', 'guide/intro.md', MARKDOWN, 'Setext Title', '# Last'],
    ['markdown setext -', 'guide/intro.md', MARKDOWN, 'Sub Setext', '## ATX Section'],
    ['rst underline', 'manual.rst', RST, 'Install', 'Usage'],
    ['rst underline, lower level', 'manual.rst', RST, 'Configure', 'Usage'],
    ['asciidoc == Title', 'book.adoc', ADOC, 'Chapter One', '== Chapter Two'],
    ['asciidoc === Title', 'book.adoc', ADOC, 'Detail', '== Chapter Two'],
  ];
  for (const [label, path, content, heading, nextLine] of sections) {
    test(`read_doc heading returns just the section for ${label} ("${heading}")`, async () => {
      const r = await read({ path, heading });
      assert.equal(r.structuredContent, undefined, 'the page travels once, in the text');
      const s = sc(r);
      const all = lines(content);
      const start = all.findIndex((l) => l.replace(/^[=#]+ /, '') === heading) + 1;
      const end = lineOf(content, nextLine) - 1;
      assert.ok(start > 0 && end >= start);
      assert.equal(s['startLine'], start);
      assert.equal(s['endLine'], end);
      assert.equal(s['text'], all.slice(start - 1, end).join('\n'));
      assert.equal(s['heading'], heading);
    });
  }

  test('read_doc heading returns an overline-styled rst title section up to the end', async () => {
    const s = sc(await read({ path: 'manual.rst', heading: 'Doc Title' }));
    assert.equal(s['startLine'], 2);
    assert.equal(s['endLine'], lines(RST).length);
    assert.match(String(s['text']), /^Doc Title\n=========\n/);
    assert.match(String(s['text']), /Usage body\.$/);
  });

  test('read_doc with an unknown heading is an isError that lists some headings', async () => {
    const r = await read({ path: 'guide/intro.md', heading: 'No Such Heading' });
    assert.equal(r.isError, true);
    const t = c.textOf(r);
    assert.match(t, /No Such Heading/);
    assert.match(t, /"Introduction"/);
    assert.match(t, /"ATX Section"/);
  });

  test('read_doc with endLine before startLine is an isError naming both', async () => {
    const r = await read({ path: 'guide/intro.md', startLine: 5, endLine: 2 });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /endLine/);
    assert.match(c.textOf(r), /startLine/);
  });

  test('read_doc on a folder is an isError pointing to list_docs', async () => {
    const r = await read({ path: 'guide' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /folder/);
  });

  test('read_doc on a .md holding NUL bytes is an isError saying it is binary', async () => {
    const r = await read({ path: 'binary.md' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /binary/);
  });

  test('read_doc on an empty document succeeds with no lines', async () => {
    const r = await read({ path: 'empty.md' });
    assert.equal(r.structuredContent, undefined, 'the page travels once, in the text');
    assert.equal(sc(r)['text'], '');
  });

  test('outline_doc gives markdown heading levels, lines, section ends and front matter', async () => {
    const r = await c.call('outline_doc', { path: 'guide/intro.md' });
    assertConforms(schemas.get('outline_doc'), r);
    const s = sc(r);
    const n = lines(MARKDOWN).length;
    assert.deepEqual(s['headings'], [
      {
        level: 1,
        title: 'Introduction',
        line: lineOf(MARKDOWN, '# Introduction'),
        endLine: lineOf(MARKDOWN, 'Setext Title') - 1,
      },
      {
        level: 1,
        title: 'Setext Title',
        line: lineOf(MARKDOWN, 'Setext Title'),
        endLine: lineOf(MARKDOWN, '# Last') - 1,
      },
      {
        level: 2,
        title: 'Sub Setext',
        line: lineOf(MARKDOWN, 'Sub Setext'),
        endLine: lineOf(MARKDOWN, '## ATX Section') - 1,
      },
      {
        level: 2,
        title: 'ATX Section',
        line: lineOf(MARKDOWN, '## ATX Section'),
        endLine: lineOf(MARKDOWN, '# Last') - 1,
      },
      { level: 1, title: 'Last', line: lineOf(MARKDOWN, '# Last'), endLine: n },
    ]);
    assert.deepEqual({ ...(s['frontMatter'] as object) }, {
      title: 'Introduction',
      tags: 'start, basics',
      draft: 'false',
    });
    assert.equal(s['format'], 'markdown');
    assert.equal(s['totalLines'], n);
  });

  test('outline_doc gives rst levels by adornment style (overline, =, -)', async () => {
    const r = await c.call('outline_doc', { path: 'manual.rst' });
    assertConforms(schemas.get('outline_doc'), r);
    const s = sc(r);
    assert.deepEqual(s['headings'], [
      { level: 1, title: 'Doc Title', line: 2, endLine: lines(RST).length },
      { level: 2, title: 'Install', line: lineOf(RST, 'Install'), endLine: lineOf(RST, 'Usage') - 1 },
      { level: 3, title: 'Configure', line: lineOf(RST, 'Configure'), endLine: lineOf(RST, 'Usage') - 1 },
      { level: 2, title: 'Usage', line: lineOf(RST, 'Usage'), endLine: lines(RST).length },
    ]);
    assert.equal(s['format'], 'rst');
    assert.deepEqual({ ...(s['frontMatter'] as object) }, {});
  });

  test('outline_doc gives asciidoc levels from the number of "="', async () => {
    const r = await c.call('outline_doc', { path: 'book.adoc' });
    assertConforms(schemas.get('outline_doc'), r);
    const s = sc(r);
    assert.deepEqual(s['headings'], [
      { level: 1, title: 'Book Title', line: 1, endLine: lines(ADOC).length },
      {
        level: 2,
        title: 'Chapter One',
        line: lineOf(ADOC, '== Chapter One'),
        endLine: lineOf(ADOC, '== Chapter Two') - 1,
      },
      { level: 3, title: 'Detail', line: lineOf(ADOC, '=== Detail'), endLine: lineOf(ADOC, '== Chapter Two') - 1 },
      { level: 2, title: 'Chapter Two', line: lineOf(ADOC, '== Chapter Two'), endLine: lines(ADOC).length },
    ]);
    assert.equal(s['format'], 'asciidoc');
  });

  test('outline_doc on a folder is an isError', async () => {
    const r = await c.call('outline_doc', { path: 'guide' });
    assert.equal(r.isError, true);
  });

  for (
    const [path, content, mediaType, headings] of [
      ['guide/intro.md', MARKDOWN, 'text/markdown', 5],
      ['manual.rst', RST, 'text/x-rst', 4],
      ['book.adoc', ADOC, 'text/asciidoc', 4],
      ['notes.txt', 'plain text notes\n', 'text/plain', 0],
    ] as const
  ) {
    test(`doc_info reports size, lines, headings, media type and the sha256 of ${path}`, async () => {
      const r = await c.call('doc_info', { path });
      assertConforms(schemas.get('doc_info'), r);
      const s = sc(r);
      const bytes = readFileSync(join(root, path));
      assert.equal(s['size'], bytes.length);
      assert.equal(s['lines'], lines(content).length);
      assert.equal(s['headings'], headings);
      assert.equal(s['mediaType'], mediaType);
      assert.equal(s['text'], true);
      assert.equal(s['sha256'], createHash('sha256').update(bytes).digest('hex'));
      assert.ok(!Number.isNaN(Date.parse(String(s['modified']))));
    });
  }

  test('doc_info on a binary .md reports text false and no sha256 (a .md that is not UTF-8 is never served)', async () => {
    const r = await c.call('doc_info', { path: 'binary.md' });
    assertConforms(schemas.get('doc_info'), r);
    const s = sc(r);
    assert.equal(s['text'], false);
    assert.equal(s['lines'], null);
    assert.equal(s['sha256'], null);
    assert.match(c.textOf(r), /not UTF-8 text: not served/);
  });

  test('doc_info on a folder and on a missing file are isError results', async () => {
    assert.equal((await c.call('doc_info', { path: 'guide' })).isError, true);
    const r = await c.call('doc_info', { path: 'missing.md' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /not found or not allowed/);
  });
});

/** Deterministic Markdown of about `bytes` bytes, with headings, mixed scripts and short lines. */
function bigMarkdown(bytes: number, style: 'mixed' | 'cjk'): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 1; size < bytes; i++) {
    const line = i % 500 === 1
      ? `## Section ${i}`
      : style === 'cjk'
      ? `${i} 日本語の文書の行です。漢字とかなを多く含む長いテキストで、返信の大きさを試します。こんにちは世界`
      : `Line ${i}: café naïve — the quick brown fox jumps over the lazy dog ${i % 97} ✓`;
    parts.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return parts.join('\n') + '\n';
}

type Page = { text: string; startLine: number; endLine: number; totalLines: number | null; nextCursor: string | null };

async function readAllPages(c: Client, path: string): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const r: ToolReply = await c.call('read_doc', cursor === null ? { path } : { path, cursor });
    const s = sc(r) as unknown as Page;
    pages.push(s);
    cursor = s.nextCursor;
    if (pages.length > 2000) throw new Error('cursor chain does not end');
  } while (cursor !== null);
  return pages;
}

function assertContinuous(pages: readonly Page[], content: string): void {
  const all = lines(content);
  assert.ok(pages.length > 1, 'a large document comes in more than one page');
  assert.equal(pages[0]?.startLine, 1);
  for (let i = 1; i < pages.length; i++) {
    assert.equal(pages[i]?.startLine, (pages[i - 1]?.endLine ?? 0) + 1, `page ${i} starts where page ${i - 1} ended`);
  }
  assert.equal(pages[pages.length - 1]?.endLine, all.length);
  const joined = pages.map((p) => p.text).join('\n');
  assert.equal(joined.length, all.join('\n').length);
  assert.ok(joined === all.join('\n'), 'concatenated pages equal the file text');
}

describe(`read_doc pages large documents within the reply budget (${RUNTIME})`, () => {
  let root: string;
  let c: Client;
  const texts: Record<string, string> = {};

  before(async () => {
    texts['three.md'] = bigMarkdown(3 * 1024 * 1024, 'mixed');
    texts['twelve.md'] = bigMarkdown(12 * 1024 * 1024, 'mixed');
    texts['changing.md'] = bigMarkdown(1024 * 1024, 'mixed');
    texts['cjk.md'] = bigMarkdown(3 * 1024 * 1024, 'cjk');
    root = makeTree(texts);
    c = await startReady({ config: configFor({ docs: root }) });
  });
  after(async () => {
    await c.close();
  });

  test('a 3 MB document (whole-file path) chains through every page, each reply under 100 KB', async () => {
    const pages = await readAllPages(c, 'three.md');
    assertContinuous(pages, texts['three.md'] as string);
    assert.equal(pages[0]?.totalLines, lines(texts['three.md'] as string).length);
    assert.ok(longestLineBytes(c) < REPLY_LIMIT, `longest reply ${longestLineBytes(c)} bytes`);
  });

  test('a 12 MB document chains through every page, each reply under 100 KB', async () => {
    const pages = await readAllPages(c, 'twelve.md');
    assertContinuous(pages, texts['twelve.md'] as string);
    // Pages of a large file are cut from its whole served text too (secrets redacted before any cut).
    assert.equal(pages[0]?.totalLines, lines(texts['twelve.md'] as string).length);
    assert.ok(longestLineBytes(c) < REPLY_LIMIT, `longest reply ${longestLineBytes(c)} bytes`);
  });

  test('a 12 MB document read from a startLine starts at that line', async () => {
    const s = sc(await c.call('read_doc', { path: 'twelve.md', startLine: 100000, endLine: 100002 }));
    assert.equal(s['startLine'], 100000);
    assert.equal(s['endLine'], 100002);
    assert.equal(s['text'], lines(texts['twelve.md'] as string).slice(99999, 100002).join('\n'));
  });

  test('pages of a 3 MB document of multi-byte text stay under 100 KB on the wire', async () => {
    const before = stdoutLines(c).length;
    const r = await c.call('read_doc', { path: 'cjk.md' });
    assert.notEqual(r.isError, true);
    const reply = stdoutLines(c).slice(before);
    for (const l of reply) assert.ok(Buffer.byteLength(l) < REPLY_LIMIT, `reply of ${Buffer.byteLength(l)} bytes`);
  });

  test('a cursor used after the document changed is an isError saying it changed', async () => {
    const first = sc(await c.call('read_doc', { path: 'changing.md' }));
    assert.equal(typeof first['nextCursor'], 'string');
    appendFileSync(join(root, 'changing.md'), 'one more line\n');
    const r = await c.call('read_doc', { path: 'changing.md', cursor: first['nextCursor'] });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /changed/);
  });

  test('a tampered read_doc cursor is an isError', async () => {
    const first = sc(await c.call('read_doc', { path: 'three.md' }));
    const cursor = String(first['nextCursor']);
    const r = await c.call('read_doc', { path: 'three.md', cursor: cursor.slice(0, -4) + 'AAAA' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /cursor/i);
    const other = await c.call('read_doc', { path: 'twelve.md', cursor });
    assert.equal(other.isError, true);
  });

  test('a forged read_doc cursor with a field out of range or mistyped names that field (-32602 for 2025-06-18)', async () => {
    const first = sc(await c.call('read_doc', { path: 'three.md' }));
    const real = JSON.parse(Buffer.from(String(first['nextCursor']), 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forge = (change: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ ...real, ...change })).toString('base64url');
    const cases: [Record<string, unknown>, string][] = [
      [{ l: 0 }, 'l'], // -32603 "Internal error" before
      [{ l: 10_000_000 }, 'l'], // an empty page as a success before
      [{ l: 1.5 }, 'l'],
      [{ l: '2' }, 'l'],
      [{ c: -1 }, 'c'],
      [{ c: 1_000_000 }, 'c'],
      [{ f: 5 }, 'f'],
    ];
    const old = await startReady({ config: configFor({ docs: root }) }, '2025-06-18');
    try {
      for (const [change, field] of cases) {
        const named = new RegExp(`^Invalid cursor: its field "${field}" must `);
        const r = await c.call('read_doc', { path: 'three.md', cursor: forge(change) });
        assert.equal(r.isError, true, JSON.stringify(change));
        assert.match(c.textOf(r), named, JSON.stringify(change));
        const e = await old.request('tools/call', {
          name: 'read_doc',
          arguments: { path: 'three.md', cursor: forge(change) },
        });
        assert.equal(e.error?.code, -32602, JSON.stringify(e));
        assert.match(e.error?.message ?? '', named);
      }
    } finally {
      await old.close();
    }
  });
});

describe(`read_doc on a 40 MB document with the default config (${RUNTIME})`, () => {
  test('the first two pages come back under 100 KB each and continue each other', async () => {
    const root = tempDir();
    const line = 'x'.repeat(70) + ' forty megabytes of documentation text\n';
    const count = Math.ceil((40 * 1024 * 1024) / line.length);
    writeFileSync(join(root, 'huge.md'), line.repeat(count));
    const c = await startReady({ roots: [root] });
    try {
      const p1 = sc(await c.call('read_doc', { path: 'huge.md' }));
      assert.equal(p1['startLine'], 1);
      assert.equal(typeof p1['nextCursor'], 'string');
      const p2 = sc(await c.call('read_doc', { path: 'huge.md', cursor: p1['nextCursor'] }));
      assert.equal(p2['startLine'], (p1['endLine'] as number) + 1);
      assert.equal(String(p2['text']).split('\n')[0], line.slice(0, -1));
      assert.ok(longestLineBytes(c) < REPLY_LIMIT, `longest reply ${longestLineBytes(c)} bytes`);
    } finally {
      await c.close();
    }
  });
});
