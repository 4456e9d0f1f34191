// list_docs and find_docs through the real bundle: listings by folder and depth, cursor pagination
// that visits every entry exactly once, glob syntax, and secret or hidden files that never appear.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, RUNTIME, startReady } from '../helpers/harness.ts';
import { configFor, sc, smallTree, stdoutLines, type ToolReply } from '../helpers/e2e_fixtures.ts';
import { assertConforms, outputSchemas, type SchemaNode } from '../helpers/output_schema.ts';

const SECRET = 'SECRET-CANARY-4b1d9e';
const SECRET_FILES = [
  '.env',
  '.ENV',
  'sub/.env.local',
  '.git/config',
  'sub/.git/config',
  'id_rsa',
  'key.pem',
  'private.key',
  '.npmrc',
  'credentials.json',
  'credentials.md',
  'guide/.hidden.md',
  'guide/secret.md',
  'guide/secrets.md',
  '.hidden/readme.md',
];
const SECRET_WORDS = /\.env|\.ENV|\.git|id_rsa|key\.pem|private\.key|\.npmrc|credentials|\.hidden|secret/;

type Entry = { path: string; kind: string; size: number | null; modified: string };
type Match = { path: string; size: number; modified: string };

describe(`list_docs and find_docs (${RUNTIME})`, () => {
  let root: string;
  let other: string;
  let c: Client;
  let schemas: Map<string, SchemaNode>;

  before(async () => {
    root = smallTree(tempDir());
    makeTree(
      Object.fromEntries([...SECRET_FILES.map((f) => [f, `${SECRET}\n`]), ['sub/visible.md', '# Visible\n']]),
      root,
    );
    other = makeTree({ 'other.md': '# Other\n' });
    c = await startReady({ config: configFor({ docs: root, other }) });
    schemas = await outputSchemas(c);
  });
  after(async () => {
    await c.close();
  });

  const list = (args: Record<string, unknown>): Promise<ToolReply> => c.call('list_docs', args);
  const find = (args: Record<string, unknown>): Promise<ToolReply> => c.call('find_docs', args);
  const paths = (r: ToolReply): string[] => (sc(r)['entries'] as Entry[]).map((e) => e.path);
  const found = (r: ToolReply): string[] => (sc(r)['matches'] as Match[]).map((m) => m.path);

  test('list_docs lists the direct children of the root, sorted, with kinds, sizes and dates', async () => {
    const r = await list({});
    assertConforms(schemas.get('list_docs'), r);
    const s = sc(r);
    assert.equal(s['root'], 'docs');
    assert.deepEqual(s['roots'], ['docs', 'other']);
    assert.equal(s['path'], '');
    assert.deepEqual(paths(r), [
      'api.md',
      'book.adoc',
      'build.md',
      'changelog.md',
      'empty.md',
      'fs.md',
      'guide',
      'manual.rst',
      'notes.txt',
      'os.md',
      'path.md',
      'sub',
    ]);
    for (const e of s['entries'] as Entry[]) {
      const st = statSync(join(root, e.path));
      assert.equal(e.kind, st.isDirectory() ? 'dir' : 'file');
      assert.equal(e.size, st.isDirectory() ? null : st.size);
      assert.ok(Math.abs(Date.parse(e.modified) - st.mtimeMs) < 1000, `${e.path} modified ${e.modified}`);
    }
  });

  test('list_docs with depth 2 descends one more level, depth-first', async () => {
    const r = await list({ depth: 2 });
    assertConforms(schemas.get('list_docs'), r);
    assert.deepEqual(paths(r), [
      'api.md',
      'book.adoc',
      'build.md',
      'changelog.md',
      'empty.md',
      'fs.md',
      'guide',
      'guide/deep',
      'guide/install.md',
      'guide/intro.md',
      'manual.rst',
      'notes.txt',
      'os.md',
      'path.md',
      'sub',
      'sub/visible.md',
    ]);
  });

  test('list_docs with a path lists that folder; depth 1 and 2 differ', async () => {
    assert.deepEqual(paths(await list({ path: 'guide' })), ['guide/deep', 'guide/install.md', 'guide/intro.md']);
    assert.deepEqual(paths(await list({ path: 'guide', depth: 2 })), [
      'guide/deep',
      'guide/deep/nested.md',
      'guide/install.md',
      'guide/intro.md',
    ]);
    assert.equal(sc(await list({ path: 'guide/deep' }))['path'], 'guide/deep');
  });

  test('list_docs with limit and cursor walks every entry exactly once', async () => {
    const full = paths(await list({ depth: 5, limit: 500 }));
    assert.equal(full.length, 17);
    const seen: string[] = [];
    let cursor: unknown = undefined;
    let pages = 0;
    do {
      const r = await list(cursor === undefined ? { depth: 5, limit: 3 } : { depth: 5, limit: 3, cursor });
      assertConforms(schemas.get('list_docs'), r);
      const s = sc(r);
      const page = paths(r);
      assert.ok(page.length <= 3);
      assert.equal(s['truncated'], s['nextCursor'] !== null);
      seen.push(...page);
      cursor = s['nextCursor'];
      pages++;
    } while (cursor !== null && pages < 50);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.deepEqual(seen, full);
    assert.equal(pages, Math.ceil(full.length / 3));
  });

  test('list_docs with a tampered or foreign cursor is an isError', async () => {
    const first = sc(await list({ depth: 5, limit: 2 }));
    const cursor = String(first['nextCursor']);
    for (
      const bad of [
        'not-a-cursor!',
        cursor.slice(0, -3),
        cursor + 'x',
        'e30',
        Buffer.from('{"t":"list_docs","q":"x","o":1}').toString('base64url'),
      ]
    ) {
      const r = await list({ depth: 5, limit: 2, cursor: bad });
      assert.equal(r.isError, true, `cursor ${bad}`);
      assert.match(c.textOf(r), /cursor/i);
    }
    const foreign = await list({ depth: 1, limit: 2, cursor });
    assert.equal(foreign.isError, true);
    const fromFind = sc(await find({ pattern: '**/*', limit: 1 }))['nextCursor'];
    assert.equal((await list({ depth: 5, limit: 2, cursor: fromFind })).isError, true);
  });

  test('list_docs on a file is an isError', async () => {
    const r = await list({ path: 'fs.md' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /file/);
  });

  test('list_docs on an unknown root is an isError naming the available roots', async () => {
    const r = await list({ root: 'nope' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /nope/);
    assert.match(c.textOf(r), /docs/);
    assert.match(c.textOf(r), /other/);
    assert.deepEqual(paths(await list({ root: 'other' })), ['other.md']);
  });

  test('list_docs never shows hidden or secret entries at any depth', async () => {
    const all = paths(await list({ depth: 16, limit: 500 }));
    for (const p of all) assert.doesNotMatch(p, SECRET_WORDS);
    assert.ok(all.includes('sub/visible.md'));
    assert.equal((await list({ path: '.git' })).isError, true);
    assert.equal((await list({ path: 'sub/.git' })).isError, true);
  });

  const globs: readonly [string, string[]][] = [
    ['{fs,path}.md', ['fs.md', 'path.md']],
    ['[a-c]*.md', ['api.md', 'build.md', 'changelog.md']],
    ['?s.md', ['fs.md', 'os.md']],
    ['guide/**', ['guide/deep/nested.md', 'guide/install.md', 'guide/intro.md']],
    ['guide/*.md', ['guide/install.md', 'guide/intro.md']],
    ['*.rst', ['manual.rst']],
    ['**/*.{rst,adoc}', ['book.adoc', 'manual.rst']],
  ];
  for (const [pattern, expected] of globs) {
    test(`find_docs "${pattern}" matches exactly ${expected.join(', ')}`, async () => {
      const r = await find({ pattern });
      assertConforms(schemas.get('find_docs'), r);
      assert.deepEqual(found(r), expected);
      assert.equal(sc(r)['pattern'], pattern);
      for (const m of sc(r)['matches'] as Match[]) assert.equal(m.size, statSync(join(root, m.path)).size);
    });
  }

  test('find_docs "**/*.md" and "*.md" both match Markdown files at every depth', async () => {
    const md = [
      'api.md',
      'build.md',
      'changelog.md',
      'empty.md',
      'fs.md',
      'guide/deep/nested.md',
      'guide/install.md',
      'guide/intro.md',
      'os.md',
      'path.md',
      'sub/visible.md',
    ];
    assert.deepEqual(found(await find({ pattern: '**/*.md' })), md);
    assert.deepEqual(found(await find({ pattern: '*.md' })), md);
  });

  test('find_docs with limit and cursor gives disjoint pages covering every match once', async () => {
    const full = found(await find({ pattern: '**/*' }));
    const seen: string[] = [];
    let cursor: unknown = undefined;
    let pages = 0;
    do {
      const r = await find(
        cursor === undefined ? { pattern: '**/*', limit: 4 } : { pattern: '**/*', limit: 4, cursor },
      );
      assertConforms(schemas.get('find_docs'), r);
      seen.push(...found(r));
      cursor = sc(r)['nextCursor'];
      pages++;
    } while (cursor !== null && pages < 50);
    assert.deepEqual(seen, full);
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(pages >= 4);
    const other = await find({ pattern: '*.md', cursor: sc(await find({ pattern: '**/*', limit: 1 }))['nextCursor'] });
    assert.equal(other.isError, true, 'a cursor of another pattern is refused');
  });

  test('find_docs gives the same matches, sizes and dates from its own walk and from a snapshot search_docs just took', async () => {
    // Past the snapshot's lifetime, find_docs walks with the glob as filter (lstat of matches only);
    // right after a search it reads the search's snapshot. Both must say the same thing.
    await new Promise((r) => setTimeout(r, 1700));
    const walked = sc(await find({ pattern: '**/*', limit: 500 }))['matches'] as Match[];
    const s = await c.call('search_docs', { query: 'install', mode: 'literal' });
    assert.notEqual(s.isError, true);
    const fromSnapshot = sc(await find({ pattern: '**/*', limit: 500 }))['matches'] as Match[];
    assert.ok(walked.length >= 10);
    assert.deepEqual(fromSnapshot, walked);
    for (const m of walked) assert.equal(m.size, statSync(join(root, m.path)).size, m.path);
  });

  for (const bad of ['[', '{a,b', '[z-a].md']) {
    test(`find_docs with the invalid glob ${JSON.stringify(bad)} is an isError "Cannot compile glob"`, async () => {
      const r = await find({ pattern: bad });
      assert.equal(r.isError, true);
      assert.match(c.textOf(r), /Cannot compile glob/);
    });
  }

  test('find_docs never matches secret or hidden files, whatever the pattern', async () => {
    for (
      const pattern of [
        '**/*',
        '**',
        '*',
        '**/.env',
        '.env',
        '**/.env*',
        'id_rsa',
        '*.pem',
        '**/config',
        '**/*.key',
        '.*',
        '**/.*',
        '**/.git/**',
        'credentials*',
        '**/*secret*',
      ]
    ) {
      const r = await find({ pattern, limit: 500 });
      for (const p of found(r)) assert.doesNotMatch(p, SECRET_WORDS, `pattern ${pattern}`);
    }
    assert.ok(found(await find({ pattern: '**/*' })).includes('sub/visible.md'));
    assert.ok(stdoutLines(c).every((l) => !l.includes(SECRET)), 'no secret content reached stdout');
  });

  test('find_docs on an unknown root is an isError naming the available roots', async () => {
    const r = await find({ pattern: '*', root: 'docs-evil' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /available roots: docs, other/);
  });
});
