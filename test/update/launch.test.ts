// How servers under test are started: plain Node, or Deno granted exactly the bundle, config, roots and
// one audit log, with everything else denied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchFor, type ServerAccess } from '../../src/update/launch.ts';

const ACCESS: ServerAccess = {
  bundle: '/opt/dw/staging/docwarden.js', configPath: '/etc/dw/config.json', rootArgs: [],
  readPaths: ['/srv/docs', '/srv/docs', '/tmp/v/canary.md'], logPath: '/tmp/v/staged-audit.jsonl',
};

test('launchFor() runs the bundle directly under node with the config and our own log', () => {
  const l = launchFor({ name: 'node', bin: '/usr/bin/node' }, ACCESS, { PATH: '/usr/bin' });
  assert.deepEqual(l, { cmd: '/usr/bin/node', args: [ACCESS.bundle, '--config', '/etc/dw/config.json', '--log', ACCESS.logPath], env: { PATH: '/usr/bin' } });
});

test('launchFor() grants Deno exactly what the server needs', () => {
  const l = launchFor({ name: 'deno', bin: 'deno' }, { ...ACCESS, configPath: null, rootArgs: ['/srv/docs'] }, {});
  assert.deepEqual(l.args, [
    'run', '--no-prompt', '--no-config', '--no-remote', '--no-npm',
    '--allow-read=/opt/dw/staging/docwarden.js,/srv/docs,/tmp/v/canary.md', '--allow-write=/tmp/v/staged-audit.jsonl',
    '--deny-net', '--deny-run', '--deny-ffi', '--deny-env', '--deny-sys', ACCESS.bundle, '--root', '/srv/docs', '--log', ACCESS.logPath,
  ]);
});

test('launchFor() refuses a path Deno would split on its comma', () => {
  assert.throws(() => launchFor({ name: 'deno', bin: 'deno' }, { ...ACCESS, readPaths: ['/srv/a,b'] }, {}), /contains a comma/);
});
