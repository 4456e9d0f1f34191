// The smallest end-to-end proof: the real bundle starts, initializes, reads a document and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { RUNTIME, startReady } from '../helpers/harness.ts';

test(`bundle serves a document and exits 0 on stdin EOF (${RUNTIME})`, async () => {
  const root = makeTree({ 'guide/install.md': '# Install\n\nRun it.\n' });
  const c = await startReady({ roots: [root] });
  const r = await c.call('read_doc', { path: 'guide/install.md' });
  assert.equal(r.isError, undefined);
  assert.match(c.textOf(r), /Run it\./);
  const exit = await c.close();
  assert.equal(exit.code, 0);
  const audit = c.auditRecords();
  assert.ok(audit.some((a) => a['tool'] === 'read_doc' && a['outcome'] === 'ok'));
});
