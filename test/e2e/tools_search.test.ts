// search_docs through the real bundle on the Node.js API docs (60 real pages) and a small exact tree:
// ranking in words mode, exact line/column in literal and regex modes, regex safety, scoping,
// pagination, context lines, argument bounds and section headings on hits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, RUNTIME, startReady } from '../helpers/harness.ts';
import { configFor, extractNodeApi, sc, smallTree, type ToolReply } from '../helpers/e2e_fixtures.ts';
import { assertConforms, outputSchemas, type SchemaNode } from '../helpers/output_schema.ts';

type Hit = {
  path: string;
  line: number;
  column: number;
  snippet: string;
  heading: string | null;
  score: number | null;
  before: string[];
  after: string[];
};

describe(`search_docs (${RUNTIME})`, () => {
  let nodeApi: string;
  let small: string;
  let c: Client;
  let schemas: Map<string, SchemaNode>;
  const fileLines = new Map<string, string[]>();

  before(async () => {
    nodeApi = extractNodeApi();
    small = smallTree(tempDir());
    makeTree({
      'evil.md': `# Evil\n\n${'a'.repeat(50_000)}!\n`,
      'context.md': '# Context\n\nline one\nline two\nline three NEEDLE here\nline four\nline five\n',
      'case.md': '# Case\n\nMixedCase Token\nmixedcase token\n',
    }, small);
    c = await startReady({ config: configFor({ node: nodeApi, small }) });
    schemas = await outputSchemas(c);
  });
  after(async () => {
    await c.close();
  });

  const search = async (args: Record<string, unknown>): Promise<ToolReply> => c.call('search_docs', args);
  const hitsOf = (r: ToolReply): Hit[] => {
    assertConforms(schemas.get('search_docs'), r);
    return sc(r)['hits'] as Hit[];
  };
  const linesOf = (root: string, path: string): string[] => {
    const key = `${root}/${path}`;
    let l = fileLines.get(key);
    if (!l) {
      l = readFileSync(join(root, path), 'utf8').split('\n').map((x) => x.replace(/\r$/, ''));
      fileLines.set(key, l);
    }
    return l;
  };

  test('words mode ranks child_process.md first for "spawn a child process"', async () => {
    const hits = hitsOf(await search({ query: 'spawn a child process', limit: 10 }));
    assert.equal(hits[0]?.path, 'child_process.md');
    const scores = hits.map((h) => h.score as number);
    assert.ok(scores.every((s) => typeof s === 'number'));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'scores descend');
    assert.equal(new Set(hits.map((h) => `${h.path}:${h.line}`)).size, hits.length, 'one hit per section');
    for (const h of hits) {
      const path = (h as unknown as { headingPath: string[] }).headingPath;
      assert.equal(path[path.length - 1], h.heading, 'each hit names its heading path, ending with its own heading');
    }
    const spawn = hits.find((h) => h.heading === '`child_process.spawn(command[, args][, options])`');
    assert.ok(spawn && hits.indexOf(spawn) < 5, 'the section on spawn is among the first hits');
  });

  test('words mode ranks fs.md in the top 3 for "read a file"', async () => {
    const hits = hitsOf(await search({ query: 'read a file', limit: 10 }));
    assert.ok(hits.slice(0, 3).some((h) => h.path === 'fs.md'), hits.map((h) => h.path).join(', '));
  });

  test('words mode hit lines really mention a query word', async () => {
    for (const h of hitsOf(await search({ query: 'spawn a child process', limit: 5 }))) {
      const line = (linesOf(nodeApi, h.path)[h.line - 1] ?? '').toLowerCase();
      assert.match(line, /spawn|child|process/, `${h.path}:${h.line}`);
    }
  });

  test('literal mode finds "child_process.spawn" at the right line and column', async () => {
    const q = 'child_process.spawn';
    const hits = hitsOf(await search({ query: q, mode: 'literal', limit: 50 }));
    assert.ok(hits.length >= 10);
    assert.equal(sc(await search({ query: q, mode: 'literal', limit: 50 }))['mode'], 'literal');
    for (const h of hits) {
      const line = linesOf(nodeApi, h.path)[h.line - 1] ?? '';
      assert.equal(
        line.slice(h.column - 1, h.column - 1 + q.length).toLowerCase(),
        q,
        `${h.path}:${h.line}:${h.column}`,
      );
      assert.equal(h.score, null);
    }
    const first = hits.find((h) => h.path === 'child_process.md');
    const expected = linesOf(nodeApi, 'child_process.md').findIndex((l) => l.includes(q));
    assert.equal(first?.line, expected + 1);
    assert.equal(first?.column, (linesOf(nodeApi, 'child_process.md')[expected] as string).indexOf(q) + 1);
  });

  test('literal mode caseSensitive true and false give different hits', async () => {
    const insensitive = hitsOf(await search({ query: 'MixedCase Token', mode: 'literal', root: 'small' }));
    const sensitive = hitsOf(
      await search({ query: 'MixedCase Token', mode: 'literal', root: 'small', caseSensitive: true }),
    );
    assert.deepEqual(insensitive.map((h) => [h.path, h.line]), [['case.md', 3], ['case.md', 4]]);
    assert.deepEqual(sensitive.map((h) => [h.path, h.line]), [['case.md', 3]]);
    const upper = hitsOf(await search({ query: 'CHILD_PROCESS.SPAWN', mode: 'literal', caseSensitive: true }));
    assert.equal(upper.length, 0);
    assert.ok(hitsOf(await search({ query: 'CHILD_PROCESS.SPAWN', mode: 'literal' })).length > 0);
  });

  test('regex mode finds spawn(Sync)?\\( at matching positions', async () => {
    const hits = hitsOf(await search({ query: 'spawn(Sync)?\\(', mode: 'regex', limit: 50, caseSensitive: true }));
    assert.ok(hits.length >= 10);
    assert.ok(hits.some((h) => linesOf(nodeApi, h.path)[h.line - 1]?.slice(h.column - 1).startsWith('spawnSync(')));
    for (const h of hits) {
      const rest = (linesOf(nodeApi, h.path)[h.line - 1] ?? '').slice(h.column - 1);
      assert.match(rest, /^spawn(Sync)?\(/, `${h.path}:${h.line}:${h.column}`);
    }
  });

  // A backtracking engine would never answer this one (2^50000 steps): any answer proves the linear engine.
  test('regex mode with (a+)+$ on a 50,000-character line answers', async () => {
    const r = await search({ query: '(a+)+$', mode: 'regex', root: 'small' });
    if (!r.isError) assert.deepEqual(hitsOf(r), []);
    else assert.match(c.textOf(r), /regex|quantifier/);
    const ok = hitsOf(await search({ query: 'a+!$', mode: 'regex', root: 'small' }));
    assert.deepEqual(ok.map((h) => [h.path, h.line, h.column]), [['evil.md', 3, 1]]);
  });

  test('regex mode with an unbalanced "(" is an isError naming the problem', async () => {
    const r = await search({ query: '(', mode: 'regex' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /unbalanced parenthes/i);
  });

  test('regex mode with a backreference is an isError saying backreferences are unsupported', async () => {
    const r = await search({ query: '(a)\\1', mode: 'regex' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /backreference/i);
  });

  test('glob restricts the files searched', async () => {
    const hits = hitsOf(await search({ query: 'callback', mode: 'literal', glob: 'fs*.md', limit: 50 }));
    assert.ok(hits.length > 0);
    for (const h of hits) assert.equal(h.path, 'fs.md');
    const words = hitsOf(await search({ query: 'spawn a child process', glob: '{fs,path}.md' }));
    for (const h of words) assert.ok(['fs.md', 'path.md'].includes(h.path), h.path);
    const bad = await search({ query: 'x', glob: '[' });
    assert.equal(bad.isError, true);
    assert.match(c.textOf(bad), /Cannot compile glob/);
  });

  test('path restricts the search to a folder', async () => {
    const all = hitsOf(await search({ query: 'body', mode: 'literal', root: 'small', limit: 50 }));
    assert.ok(all.some((h) => !h.path.startsWith('guide/')));
    const scoped = hitsOf(await search({ query: 'body', mode: 'literal', root: 'small', path: 'guide', limit: 50 }));
    assert.ok(scoped.length > 0);
    for (const h of scoped) assert.ok(h.path.startsWith('guide/'), h.path);
    const words = hitsOf(await search({ query: 'nested deep', root: 'small', path: 'guide/deep' }));
    assert.deepEqual(words.map((h) => h.path), ['guide/deep/nested.md']);
    assert.equal((await search({ query: 'x', root: 'small', path: 'fs.md' })).isError, true);
  });

  test('limit and cursor give disjoint pages that continue the full result', async () => {
    const args = { query: 'spawn', mode: 'literal' };
    const full = hitsOf(await search({ ...args, limit: 15 }));
    assert.equal(full.length, 15);
    const pages: Hit[] = [];
    let cursor: unknown = undefined;
    for (let i = 0; i < 3; i++) {
      const r = await search(cursor === undefined ? { ...args, limit: 5 } : { ...args, limit: 5, cursor });
      const page = hitsOf(r);
      assert.equal(page.length, 5);
      assert.equal(sc(r)['truncated'], true);
      pages.push(...page);
      cursor = sc(r)['nextCursor'];
    }
    const key = (h: Hit): string => `${h.path}:${h.line}:${h.column}`;
    assert.equal(new Set(pages.map(key)).size, 15, 'pages are disjoint');
    assert.deepEqual(pages.map(key), full.map(key));
    const wordsFirst = sc(await search({ query: 'stream pipe', limit: 3 }));
    const wordsNext = hitsOf(await search({ query: 'stream pipe', limit: 3, cursor: wordsFirst['nextCursor'] }));
    const firstKeys = (wordsFirst['hits'] as Hit[]).map(key);
    for (const h of wordsNext) assert.ok(!firstKeys.includes(key(h)), 'words pages are disjoint (sections, not files)');
    const foreign = await search({ query: 'other', mode: 'literal', limit: 5, cursor });
    assert.equal(foreign.isError, true);
    assert.equal((await search({ ...args, limit: 5, cursor: 'garbage!' })).isError, true);
  });

  test('contextLines returns the lines before and after each hit, in the text the model reads too', async () => {
    const reply = await search({
      query: 'NEEDLE',
      mode: 'literal',
      root: 'small',
      contextLines: 2,
      caseSensitive: true,
    });
    const text = reply.content.map((b) => String((b as { text?: string }).text ?? '')).join('\n');
    assert.match(
      text,
      /context\.md-3- {2}line one\ncontext\.md-4- {2}line two\ncontext\.md:5:\d+.*NEEDLE.*\ncontext\.md-6- {2}line four/,
    );
    const words = await search({ query: 'needle', root: 'small', contextLines: 1 });
    assert.match(
      words.content.map((b) => String((b as { text?: string }).text ?? '')).join('\n'),
      /context\.md-6- {2}line four/,
    );
    const hits = hitsOf(reply);
    assert.equal(hits.length, 1);
    const h = hits[0] as Hit;
    assert.equal(h.path, 'context.md');
    assert.equal(h.line, 5);
    assert.equal(h.column, 'line three '.length + 1);
    assert.deepEqual(h.before, ['line one', 'line two']);
    assert.deepEqual(h.after, ['line four', 'line five']);
    const none = hitsOf(await search({ query: 'NEEDLE', mode: 'literal', root: 'small' }));
    assert.deepEqual(none[0]?.before, []);
    assert.deepEqual(none[0]?.after, []);
    const edge = hitsOf(await search({ query: '# Context', mode: 'literal', root: 'small', contextLines: 3 }));
    assert.deepEqual(edge[0]?.before, []);
    assert.equal(edge[0]?.after.length, 3);
  });

  for (
    const [args, pattern] of [
      [{ limit: 1e308 }, /limit.*from 1 to 50/],
      [{ limit: -1 }, /limit.*from 1 to 50/],
      [{ limit: 0 }, /limit.*from 1 to 50/],
      [{ limit: 1.5 }, /limit.*integer/],
      [{ contextLines: 100 }, /contextLines.*from 0 to 5/],
      [{ contextLines: -1 }, /contextLines.*from 0 to 5/],
      [{ mode: 'fuzzy' }, /mode.*words/],
      [{ caseSensitive: 'yes' }, /caseSensitive/],
    ] as const
  ) {
    test(`search_docs with ${JSON.stringify(args)} is an isError naming the bound`, async () => {
      const r = await search({ query: 'spawn', ...args });
      assert.equal(r.isError, true);
      assert.match(c.textOf(r), pattern);
    });
  }

  test('a 100 KB query is an isError naming the maximum length', async () => {
    const r = await search({ query: 'spawn '.repeat(18_000).slice(0, 100 * 1024) });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /query/);
    assert.match(c.textOf(r), /at most 1000 characters/);
    assert.match(c.textOf(r), /102400/);
  });

  test('hits carry the heading of the section holding the line', async () => {
    const cases: readonly [string, string, string][] = [
      ['Sub body.', 'guide/intro.md', 'Sub Setext'],
      ['Setext body line', 'guide/intro.md', 'Setext Title'],
      ['ATX body', 'guide/intro.md', 'ATX Section'],
      ['Configure body', 'manual.rst', 'Configure'],
      ['Detail body', 'book.adoc', 'Detail'],
      ['Two body', 'book.adoc', 'Chapter Two'],
    ];
    for (const [query, path, heading] of cases) {
      const hits = hitsOf(await search({ query, mode: 'literal', root: 'small' }));
      assert.deepEqual(hits.map((h) => [h.path, h.heading]), [[path, heading]], query);
    }
    const spawn = hitsOf(await search({ query: 'child_process.spawn', mode: 'literal', limit: 20 }));
    for (const h of spawn) {
      let fenced = false;
      let headingLine: string | undefined;
      for (const l of linesOf(nodeApi, h.path).slice(0, h.line)) {
        if (/^\s{0,3}(```|~~~)/.test(l)) fenced = !fenced;
        else if (!fenced && /^#{1,6} /.test(l)) headingLine = l;
      }
      assert.ok(headingLine !== undefined);
      assert.equal(h.heading, headingLine.replace(/^#{1,6} /, '').trim(), `${h.path}:${h.line}`);
    }
  });

  test('words mode answers a repeated query identically (the second answer comes from per-text memos)', async () => {
    for (const query of ['spawn a child process', 'stream pipe', 'read a file']) {
      const first = hitsOf(await search({ query, limit: 20 }));
      const again = hitsOf(await search({ query, limit: 20 }));
      assert.deepEqual(again, first, query);
      const withContext = hitsOf(await search({ query, limit: 20, contextLines: 1 }));
      assert.deepEqual(
        withContext.map((h) => [h.path, h.line, h.snippet]),
        first.map((h) => [h.path, h.line, h.snippet]),
        `${query} with context`,
      );
      for (const h of withContext)
        if (h.line > 1) assert.equal(h.before.length, 1, `${h.path}:${h.line} has a line of context before`);
    }
  });

  test('words mode with only stop words is an isError suggesting literal mode', async () => {
    const r = await search({ query: 'the a of' });
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /literal/);
  });
});

describe(`search_docs and limits.searchFiles (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    const root = makeTree({
      'a.md': '# A\n\nfirst hit here\nsecond hit here\n',
      'b.md': '# B\n',
      'c.md': '# C\n',
      'd.md': '# D\n',
      'e.md': '# E\n',
      'sub/x.md': '# X\n\nhit in sub\n',
      'sub/y.md': '# Y\n',
    });
    c = await startReady({ config: configFor({ docs: root }, { searchFiles: 3 }) });
  });
  after(async () => {
    await c.close();
  });
  const search = (args: Record<string, unknown>): Promise<ToolReply> => c.call('search_docs', args);

  test('a search that would read more files than the limit is an isError naming the limit and how to narrow it', async () => {
    for (
      const args of [
        { query: 'nowhere', mode: 'literal' },
        { query: 'nowhere', mode: 'regex' },
        { query: 'nowhere words' },
        { query: 'nowhere', mode: 'literal', glob: '*.md' },
      ]
    ) {
      const r = await search(args);
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.match(c.textOf(r), /more than 3 files \(limits\.searchFiles\); narrow it with `path` or `glob`/);
    }
  });

  test('narrowed with path or glob, or stopped by a full page before the limit, the search answers', async () => {
    assert.deepEqual(
      (sc(await search({ query: 'hit', mode: 'literal', path: 'sub' }))['hits'] as Hit[]).map((h) => h.path),
      ['sub/x.md'],
    );
    assert.deepEqual(
      (sc(await search({ query: 'hit', mode: 'literal', glob: 'sub/*.md' }))['hits'] as Hit[]).map((h) => h.path),
      ['sub/x.md'],
    );
    const early = sc(await search({ query: 'hit', mode: 'literal', limit: 1 }));
    assert.deepEqual((early['hits'] as Hit[]).map((h) => [h.path, h.line]), [['a.md', 3]]);
    assert.equal(
      typeof early['nextCursor'],
      'string',
      'the second hit in a.md ends the page: the limit bounds files read, not the root',
    );
  });
});
