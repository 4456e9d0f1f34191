// How servers under test are started: always inside the runtime's sandbox with the grants production
// would use for this config (the lines `docwarden launch` prints), never as plain `node FILE`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessFor, launchFor, type ServerAccess } from '../../src/update/launch.ts';
import { runtimeArgs } from '../../src/cli/launch.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';

const ACCESS: ServerAccess = {
  bundle: '/opt/dw/staging/docwarden.js',
  configPath: '/etc/dw/config.json',
  rootArgs: [],
  need: {
    read: ['/srv/docs', '/etc/dw/config.json', '/opt/dw/staging/docwarden.js'],
    write: ['/tmp/v/staged-audit.jsonl'],
  },
  logPath: '/tmp/v/staged-audit.jsonl',
};

test("launchFor() runs a candidate under Node with the permission model and exactly production's grants", () => {
  const l = launchFor({ name: 'node', bin: '/usr/bin/node' }, ACCESS, { PATH: '/usr/bin' });
  assert.equal(l.cmd, '/usr/bin/node');
  assert.deepEqual(l.args, [
    ...runtimeArgs('node', process.version, ACCESS.need, process.platform),
    ACCESS.bundle,
    '--config',
    '/etc/dw/config.json',
    '--log',
    ACCESS.logPath,
  ]);
  assert.match(l.args[0] ?? '', /^--(experimental-)?permission$/);
  assert.ok(
    !l.args.some((a) => a.startsWith('--allow-fs-write=') && a !== `--allow-fs-write=${ACCESS.logPath}`),
    'the only write is our log',
  );
  assert.deepEqual(l.env, { PATH: '/usr/bin' });
});

test('launchFor() never runs a candidate under Deno, whose sandbox cannot contain it, and says why', () => {
  assert.throws(() => launchFor({ name: 'deno', bin: 'deno' }, ACCESS, {}), (e: Error) => {
    assert.match(
      e.message,
      /^Cannot run the candidate: Deno cannot contain a candidate \(a static import reads any file/,
    );
    assert.match(e.message, /fchmod, futimes and fchown/);
    assert.match(e.message, /Leave out --runtime deno/);
    return true;
  });
});

test("accessFor() takes production's grants from the config, with the audit log moved to ours", async () => {
  const docs = makeTree({ 'a.md': '# A\n' });
  const config = await loadConfig(createNodeHost(), {
    configPath: null,
    rootArgs: [docs],
    logPath: '/somewhere/else.jsonl',
  });
  const a = accessFor(config, '/opt/dw/staging/docwarden.js', '/tmp/v/staged-audit.jsonl');
  assert.deepEqual(a.rootArgs, [docs]);
  assert.ok(a.need.read.includes(docs) && a.need.read.includes('/opt/dw/staging/docwarden.js'));
  assert.equal(a.need.write[0], '/tmp/v/staged-audit.jsonl');
  assert.ok(!a.need.write.some((w) => w.startsWith('/somewhere')), "the operator's own log is never granted");
});
