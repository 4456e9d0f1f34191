// Runtime detection (src/runtime/detect.ts): Deno is recognised first (it also has `process`), else Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectRuntime } from '../../src/runtime/detect.ts';

test('Node by default; Deno when its global says so, even though `process` exists', () => {
  assert.deepEqual(detectRuntime(), { name: 'node', version: process.versions.node });
  const g = globalThis as { Deno?: unknown };
  g.Deno = { version: { deno: '2.5.6' } };
  try {
    assert.deepEqual(detectRuntime(), { name: 'deno', version: '2.5.6' });
    g.Deno = { version: {} };
    assert.equal(detectRuntime().name, 'node', 'a Deno global without a version is not Deno');
  } finally {
    delete g.Deno;
  }
});
