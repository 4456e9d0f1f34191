// What `launch` learns about the running program (src/runtime/launch_facts.ts), asked of this Node:
// the runtime and its binary, and whether a name is a program on PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchFacts } from '../../src/runtime/launch_facts.ts';
import { tempDir } from '../helpers/fixtures.ts';

test('this Node: runtime, version and binary', () => {
  const f = launchFacts();
  assert.deepEqual([f.runtime, f.version, f.execPath], ['node', process.versions.node, process.execPath]);
});

test('onPath finds a program in a PATH folder and not a folder of the same name', () => {
  const bin = tempDir();
  writeFileSync(join(bin, 'dw-tool'), '#!/bin/sh\n');
  chmodSync(join(bin, 'dw-tool'), 0o755);
  const saved = process.env['PATH'];
  process.env['PATH'] = `/nonexistent:${bin}`;
  try {
    const { onPath } = launchFacts();
    assert.equal(onPath('dw-tool'), true);
    assert.equal(onPath('dw-missing'), false);
    assert.equal(onPath('..'), false, 'a folder is not a program');
  } finally {
    process.env['PATH'] = saved;
  }
});
