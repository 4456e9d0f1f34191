// Data markers (src/tools/render.ts): both ends of one block carry the same random tag, taken from the
// random source, so a document cannot write the closing marker of the block that holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataFrame } from '../../src/tools/render.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';

test('begin and end share a 12-hex-digit tag made from six random bytes', () => {
  const f = dataFrame('docs:a.md', () => new Uint8Array([0, 1, 0xab, 0xcd, 0xef, 0xff]));
  assert.deepEqual(f, {
    begin: '<<<document docs:a.md [0001abcdefff]',
    end: '>>>end of document docs:a.md [0001abcdefff]',
  });
});

test("with the host's random source, every block gets its own tag", () => {
  const host = createNodeHost();
  const tags = new Set(Array.from({ length: 200 }, () => dataFrame('x', host.randomBytes).end));
  assert.equal(tags.size, 200);
  for (const t of tags) assert.match(t, /^>>>end of document x \[[0-9a-f]{12}\]$/);
});
