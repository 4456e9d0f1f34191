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

test(`the server says which confinement check it makes: on the descriptor where the runtime lets it, else by path (${RUNTIME})`, async () => {
  // Node on Linux reads /proc/self/fd, under its permission model too since `launch` grants those links;
  // Deno's sandbox refuses them whatever is granted.
  const raceFree = process.platform === 'linux' && RUNTIME !== 'deno';
  const root = makeTree({ 'a.md': '# A\n' });
  const c = await startReady({ roots: [root] });
  await c.close();
  const start = c.auditRecords().find((a) => a['event'] === 'start') as
    | { detail?: { confinement?: string } }
    | undefined;
  assert.equal(start?.detail?.confinement, raceFree ? 'descriptor' : 'path');
  assert.match(
    c.stderr,
    raceFree ? /confinement check: on the open descriptor \(race-free\)/ : /confinement check: by path .*"Races"/,
  );
});
