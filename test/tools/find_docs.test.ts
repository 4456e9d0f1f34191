// find_docs (src/tools/find_docs.ts) on real files: a glob without "/" matches names anywhere, with "/" the
// whole path; the same matches in the same order whether a fresh search snapshot or a walk serves them;
// pages with a cursor bound to the pattern; a bad glob named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { type Json, partsFor, runTool, servicesOf } from '../helpers/in_process.ts';

const p = await partsFor({
  'README.md': 'r',
  'guide/a.rst': 'a',
  'guide/deep/b.rst': 'b',
  'guide/c.md': 'c',
  'api/d.md': 'd',
  'secrets.md': 's',
});
const find = async (args: Json, s = servicesOf(p)) => (await runTool(s, 'find_docs', args)).structured as Json;
const paths = (o: Json) => (o['matches'] as Json[]).map((m) => m['path']);

test('a name glob matches anywhere, a path glob the whole path, and denied names never', async () => {
  assert.deepEqual(paths(await find({ pattern: '*.md' })), ['README.md', 'api/d.md', 'guide/c.md']);
  assert.deepEqual(paths(await find({ pattern: 'guide/**/*.rst' })), ['guide/a.rst', 'guide/deep/b.rst']);
  assert.deepEqual(paths(await find({ pattern: '{api,guide}/?.md' })), ['api/d.md', 'guide/c.md']);
  assert.deepEqual(paths(await find({ pattern: 'secret*' })), []);
});

test('a fresh snapshot from a search serves the same matches as a walk', async () => {
  const s = servicesOf(p);
  const walked = await find({ pattern: '*' }, s);
  await runTool(s, 'search_docs', { query: 'x', mode: 'literal' });
  assert.ok(s.corpus.fresh({
    confinement: s.confinement,
    root: s.config.roots[0]!,
    maxDepth: s.config.limits.depth,
    maxVisited: s.config.limits.walkEntries,
    signal: new AbortController().signal,
  }));
  assert.deepEqual(paths(await find({ pattern: '*' }, s)), paths(walked));
});

test('pages with a cursor for this pattern only; a bad glob is an invalid argument', async () => {
  const first = await find({ pattern: '*', limit: 2 });
  const rest = await find({ pattern: '*', limit: 2, cursor: first['nextCursor'] });
  assert.deepEqual([...paths(first), ...paths(rest)].length, 4);
  await assert.rejects(
    find({ pattern: '*.md', cursor: first['nextCursor'] }),
    (e: unknown) => e instanceof Failure && e.reason === 'invalid_cursor',
  );
  await assert.rejects(
    find({ pattern: '[a' }),
    (e: unknown) =>
      e instanceof Failure && e.reason === 'invalid_argument' &&
      /^Invalid arguments: `pattern`: /.test(e.publicMessage),
  );
});
