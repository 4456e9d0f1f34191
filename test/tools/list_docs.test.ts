// list_docs (src/tools/list_docs.ts) on real files: children sorted by name to the depth asked, nothing
// the policy hides, pages with a cursor bound to the listing, and a file refused as a folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { type Json, partsFor, runTool, servicesOf } from '../helpers/in_process.ts';

const p = await partsFor({
  'b.md': 'b',
  'a.md': 'aa',
  'guide/one.md': '1',
  'guide/deep/two.md': '2',
  '.env': 'K=v',
  '.hidden/x.md': 'x',
  'id_rsa': 'key',
});
const s = servicesOf(p);
const list = async (args: Json) => (await runTool(s, 'list_docs', args)).structured as Json;
const paths = (o: Json) => (o['entries'] as Json[]).map((e) => e['path']);

test('depth 1 lists direct children by name; deeper levels on request; hidden and secret names never', async () => {
  const top = await list({});
  assert.deepEqual(paths(top), ['a.md', 'b.md', 'guide']);
  const [a, , guide] = top['entries'] as Json[];
  assert.deepEqual([a?.['kind'], a?.['size'], guide?.['kind'], guide?.['size']], ['file', 2, 'dir', null]);
  assert.deepEqual(top['roots'], ['docs']);
  assert.deepEqual(paths(await list({ depth: 3 })), [
    'a.md',
    'b.md',
    'guide',
    'guide/deep',
    'guide/deep/two.md',
    'guide/one.md',
  ]);
  assert.deepEqual(paths(await list({ path: 'guide' })), ['guide/deep', 'guide/one.md']);
});

test('pages of `limit` entries; the cursor resumes that listing only', async () => {
  const first = await list({ depth: 3, limit: 4 });
  assert.equal(paths(first).length, 4);
  const rest = await list({ depth: 3, limit: 4, cursor: first['nextCursor'] });
  assert.deepEqual(paths(rest), ['guide/deep/two.md', 'guide/one.md']);
  assert.equal(rest['nextCursor'], null);
  await assert.rejects(
    list({ depth: 2, cursor: first['nextCursor'] }),
    (e: unknown) => e instanceof Failure && e.reason === 'invalid_cursor',
  );
});

test('a file, a missing folder and a denied folder are refused; the last two alike', async () => {
  await assert.rejects(list({ path: 'a.md' }), (e: unknown) => e instanceof Failure && e.reason === 'not_a_directory');
  const messages = await Promise.all(
    ['nope', '.hidden'].map((path) => list({ path }).then(() => 'listed', (e: Failure) => e.publicMessage)),
  );
  assert.deepEqual(messages, ['not found or not allowed', 'not found or not allowed']);
});
