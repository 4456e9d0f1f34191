// search_docs (src/tools/search_docs.ts) on real files: literal and regex hits with line, column, section
// and context; words mode ranking the page that is about the query first; documents that need consent left
// out before any matching (no hit, no count, only the config-fixed note); paging, scoping and limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { type Json, partsFor, runTool, servicesOf } from '../helpers/in_process.ts';

const FILES = {
  'guide/install.md': '# Installing\n\n## On Linux\n\nRun the installer.\nThen restart.\n',
  'guide/usage.md': '# Usage\n\nThe installer is mentioned once here.\n',
  'api/ref.md': '# Reference\n\nINSTALLER flags\n\x1b[2Jinstaller\n',
  'private/plan.md': '# Plan\n\ninstaller installer installer secret plan\n',
};
const p = await partsFor(FILES, { confirm: { paths: ['private'] } });
const s = servicesOf(p);
const search = async (args: Json) => (await runTool(s, 'search_docs', args)).structured as Json;
const hits = (o: Json) => o['hits'] as Json[];
const where = (o: Json) => hits(o).map((h) => `${h['path']}:${h['line']}:${h['column']}`);
const refusal = (args: Json, reason: string, message: RegExp) =>
  assert.rejects(
    search(args),
    (e: unknown) => e instanceof Failure && e.reason === reason && message.test(e.publicMessage),
  );

test('literal hits in path order with line, column, section path, snippet and context', async () => {
  const r = await search({ query: 'installer', mode: 'literal', contextLines: 1 });
  assert.deepEqual(where(r), ['api/ref.md:3:1', 'api/ref.md:4:5', 'guide/install.md:5:9', 'guide/usage.md:3:5']);
  const install = hits(r)[2] as Json;
  assert.deepEqual(install['headingPath'], ['Installing', 'On Linux']);
  assert.deepEqual([install['before'], install['after'], install['score']], [[''], ['Then restart.'], null]);
  assert.equal((hits(r)[1] as Json)['snippet'], '\\u001b[2Jinstaller', 'control characters escaped');
  const exact = await search({ query: 'INSTALLER', mode: 'literal', caseSensitive: true });
  assert.deepEqual(where(exact), ['api/ref.md:3:1']);
});

test('a document that needs consent is never searched: no hit, no count, the note is always there', async () => {
  for (const mode of ['literal', 'words', 'regex']) {
    const r = await search({ query: 'secret plan', mode });
    assert.deepEqual(hits(r), [], mode);
    assert.match(String(r['notSearched']), /not searched; read_doc asks for it/);
  }
  assert.equal((await search({ query: 'installer', mode: 'literal' }))['filesSearched'], 3);
});

test('words mode ranks the page about the query first and scores every hit', async () => {
  const r = await search({ query: 'installing on linux' });
  assert.equal((hits(r)[0] as Json)['path'], 'guide/install.md');
  assert.ok(hits(r).every((h) => typeof h['score'] === 'number'));
  await refusal({ query: 'the of' }, 'invalid_argument', /no searchable words/);
});

test('regex mode runs the linear-time engine and names a pattern it cannot compile', async () => {
  assert.deepEqual(where(await search({ query: 'Run .*er\\.$', mode: 'regex' })), ['guide/install.md:5:1']);
  await refusal({ query: '(a)\\1', mode: 'regex' }, 'invalid_argument', /backreferences are not supported/);
});

test('path and glob narrow the search; a file as path and a bad glob are refused', async () => {
  const q = { query: 'installer', mode: 'literal' };
  assert.deepEqual(where(await search({ ...q, path: 'guide' })).map((w) => w.split(':')[0]), [
    'guide/install.md',
    'guide/usage.md',
  ]);
  assert.deepEqual(where(await search({ ...q, glob: '**/usage.md' })), ['guide/usage.md:3:5']);
  await refusal({ ...q, path: 'guide/usage.md' }, 'not_a_directory', /path must be a folder/);
  await refusal({ ...q, glob: '[x' }, 'invalid_argument', /^Invalid arguments: `glob`/);
});

test('pages of `limit` hits; the cursor belongs to the same search', async () => {
  const q = { query: 'installer', mode: 'literal', limit: 3 };
  const first = await search(q);
  assert.equal(first['truncated'], true);
  const rest = await search({ ...q, cursor: first['nextCursor'] });
  assert.deepEqual([...where(first), ...where(rest)].length, 4);
  assert.equal(rest['nextCursor'], null);
  await refusal({ ...q, query: 'restart', cursor: first['nextCursor'] }, 'invalid_cursor', /different search/);
});

test('more files than limits.searchFiles is refused with the limit and how to narrow', async () => {
  const small = servicesOf(await partsFor(FILES, { limits: { searchFiles: 2 } }));
  await assert.rejects(
    runTool(small, 'search_docs', { query: 'installer', mode: 'literal' }),
    (e: unknown) => e instanceof Failure && /more than 2 files \(limits.searchFiles\); narrow it/.test(e.publicMessage),
  );
});
