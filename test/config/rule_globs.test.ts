// A files.deny, confirm.paths or files.writableFolders glob the server cannot compile stops the config load with an
// error naming the key and the problem. Before, it passed the load and the server died on it with a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';

test('a glob the server cannot compile is refused at load, naming the key and the problem', async () => {
  const cases: [unknown, RegExp][] = [
    [{ files: { deny: ['ok.md', 'x[abc'] } }, /`config\.files\.deny\[1\]` is not a valid glob: unclosed "\["/],
    [{ files: { deny: ['x[ß]y.md'] } }, /`config\.files\.deny\[0\]` is not a valid glob: "ß" in a class folds to "ss"/],
    [{ confirm: { paths: ['a}b'] } }, /`config\.confirm\.paths\[0\]` is not a valid glob: unbalanced "\}"/],
    [{ files: { writableFolders: ['{{{{a}}}}'] } }, /`config\.files\.writableFolders\[0\]`.*nested deeper than 3/],
  ];
  for (const [extra, message] of cases) {
    const dir = makeTree({ 'docs/a.md': '# A\n' });
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ roots: [{ name: 'docs', path: 'docs' }], ...(extra as object) }));
    const load = loadConfig(createNodeHost(), { configPath: file, rootArgs: [], logPath: null });
    await assert.rejects(load, (err: unknown) => err instanceof ConfigError && message.test(err.message));
  }
  const dir = makeTree({ 'docs/a.md': '# A\n' });
  const file = join(dir, 'cfg.json');
  const ok = { roots: [{ name: 'docs', path: 'docs' }], files: { deny: ['議事録［社外秘］.md', 'x[ſ]y.md'] } };
  writeFileSync(file, JSON.stringify(ok));
  const config = await loadConfig(createNodeHost(), { configPath: file, rootArgs: [], logPath: null });
  assert.ok(config.files.deny.includes('議事録［社外秘］.md'));
});
