// Path-based confinement (Deno; docs/security.md, "Races") can be raced only by a user who can write a
// folder on the path. Production finds such folders (group- or other-writable, or owned by another user),
// names them at start, and refuses to read through them unless files.writableFolders names them; where
// the kernel is asked (Node on Linux) the race is impossible and nothing is refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { census } from '../../src/cli/check.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const root = makeTree({ 'plain/doc.md': '# Plain\n\nplain text\n', 'shared/doc.md': '# Shared\n\nshared text\n' });
chmodSync(join(root, 'shared'), 0o775); // group-writable: a group member could swap folders in it

async function read(files: Json = {}): Promise<{ pathBased: boolean; shared: string; plain: string; stderr: string }> {
  const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], files } });
  try {
    const plain = c.textOf(await c.call('read_doc', { path: 'plain/doc.md' }));
    const shared = c.textOf(await c.call('read_doc', { path: 'shared/doc.md' }));
    const deadline = Date.now() + 15000; // hang guard while the census line arrives on stderr
    while (!c.stderr.includes('the deny rules') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { pathBased: c.stderr.includes('confinement check: by path'), shared, plain, stderr: c.stderr };
  } finally {
    await c.close();
  }
}

describe(`folders other users can write (${RUNTIME})`, () => {
  test('production refuses them under path-based confinement and names them at start', async () => {
    const r = await read();
    assert.match(r.plain, /plain text/);
    if (r.pathBased) {
      assert.match(r.shared, /not found or not allowed/);
      assert.match(r.stderr, /1 folder\(s\) writable by other users \(shared\)/);
    } else {
      assert.match(r.shared, /shared text/, 'race-free confinement needs no refusal');
    }
    if (RUNTIME === 'deno') assert.equal(r.pathBased, true, 'Deno confines by path');
  });

  test('files.writableFolders opts a folder in by name', async () => {
    const r = await read({ writableFolders: ['shared'] });
    assert.match(r.shared, /shared text/);
  });

  test('`check` lists them', async () => {
    const host = createNodeHost();
    const config = await loadConfig(host, { configPath: null, rootArgs: [root], logPath: null });
    assert.deepEqual((await census(host, config, config.roots[0]!)).writable, ['shared']);
  });
});
