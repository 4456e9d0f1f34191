// The updater's command line: each command takes its own flags, and every mistake is named before
// any file is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpdateArgs, UpdateUsageError } from '../../src/update/args.ts';

const HEX = 'ab'.repeat(32);

function refuses(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseUpdateArgs(argv),
    (err: unknown) => err instanceof UpdateUsageError && pattern.test(err.message),
  );
}

test('parseUpdateArgs() reads each command with its flags', () => {
  assert.deepEqual(
    parseUpdateArgs(['stage', 'new.js', '--sha256', HEX.toUpperCase(), '--install', '/opt/dw']).command,
    {
      kind: 'stage',
      file: 'new.js',
      sha256: HEX,
      sha256File: null,
      manifest: null,
      install: '/opt/dw',
      sig: null,
      trustKey: null,
      allowUnsigned: false,
      allowDowngrade: false,
    },
  );
  assert.deepEqual(
    parseUpdateArgs(['stage', 'new.js', '--sha256-file=new.js.sha256', '--install', 'd', '--manifest', 'm.json'])
      .command,
    {
      kind: 'stage',
      file: 'new.js',
      sha256: null,
      sha256File: 'new.js.sha256',
      manifest: 'm.json',
      install: 'd',
      sig: null,
      trustKey: null,
      allowUnsigned: false,
      allowDowngrade: false,
    },
  );
  assert.deepEqual(
    parseUpdateArgs(['stage', 'new.js', '--install', 'd', '--sig', 's', '--trust-key', 'k.pem', '--allow-unsigned'])
      .command,
    {
      kind: 'stage',
      file: 'new.js',
      sha256: null,
      sha256File: null,
      manifest: null,
      install: 'd',
      sig: 's',
      trustKey: 'k.pem',
      allowUnsigned: true,
      allowDowngrade: false,
    },
  );
  assert.deepEqual(parseUpdateArgs(['trust-key', 'k.pem', '--install', 'd', '--replace']).command, {
    kind: 'trust-key',
    file: 'k.pem',
    install: 'd',
    replace: true,
  });
  assert.deepEqual(
    parseUpdateArgs(['verify', '--install', 'd', '--config', 'c.json', '--accept-tool-changes']).command,
    { kind: 'verify', install: 'd', config: 'c.json', roots: [], acceptToolChanges: true },
  );
  assert.deepEqual(parseUpdateArgs(['verify', '--install', 'd', '--root', 'a', '--root', 'b']).command, {
    kind: 'verify',
    install: 'd',
    config: null,
    roots: ['a', 'b'],
    acceptToolChanges: false,
  });
  assert.deepEqual(parseUpdateArgs(['switch', '--install', 'd']).command, { kind: 'switch', install: 'd' });
  assert.deepEqual(parseUpdateArgs(['rollback', '--install', 'd']).command, { kind: 'rollback', install: 'd' });
  assert.deepEqual(parseUpdateArgs(['status', '--install', 'd', '--json']).command, {
    kind: 'status',
    install: 'd',
    json: true,
  });
  assert.deepEqual(parseUpdateArgs(['surface', 'dist/docwarden.js']).command, {
    kind: 'surface',
    file: 'dist/docwarden.js',
  });
});

test('parseUpdateArgs() picks the runtime, node by default', () => {
  assert.equal(parseUpdateArgs(['status', '--install', 'd']).runtime, 'node');
  const o = parseUpdateArgs([
    'verify',
    '--install',
    'd',
    '--root',
    'r',
    '--runtime',
    'deno',
    '--deno',
    '/usr/bin/deno',
  ]);
  assert.equal(o.runtime, 'deno');
  assert.equal(o.denoBin, '/usr/bin/deno');
  refuses(['status', '--install', 'd', '--runtime', 'bun'], /--runtime must be "node" or "deno"/);
});

test('parseUpdateArgs() shows help with no command or --help', () => {
  assert.equal(parseUpdateArgs([]).command.kind, 'help');
  assert.equal(parseUpdateArgs(['switch', '--help']).command.kind, 'help');
});

test('parseUpdateArgs() refuses what it does not know, naming it', () => {
  refuses(['upgrade'], /unknown command "upgrade"/);
  refuses(['switch', '--install', 'd', '--force'], /unknown option "--force"/);
  refuses(['switch', '--install', 'd', '--config', 'c'], /switch does not take --config/);
  refuses(['switch'], /switch needs --install DIR/);
  refuses(['switch', 'extra', '--install', 'd'], /switch takes no positional arguments/);
  refuses(['stage', '--install', 'd', '--sha256', HEX], /stage needs exactly one FILE/);
  refuses(
    ['stage', 'f', '--install', 'd', '--sha256', HEX, '--sha256-file', 'x'],
    /--sha256 HEX or --sha256-file FILE, not both/,
  );
  refuses(['trust-key', '--install', 'd'], /trust-key needs exactly one FILE/);
  refuses(['switch', '--install', 'd', '--allow-unsigned'], /switch does not take --allow-unsigned/);
  refuses(['stage', 'f', '--install', 'd', '--sha256', 'abc'], /64 hexadecimal digits/);
  refuses(['verify', '--install', 'd'], /needs --config FILE/);
  refuses(['switch', '--install'], /--install needs a value/);
  refuses(['switch', '--install', 'a', '--install', 'b'], /--install given twice/);
});
