import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featuresOf, LATEST_VERSION, negotiate, SUPPORTED_VERSIONS } from '../../src/mcp/versions.ts';

test('`negotiate()` answers a supported version with itself', () => {
  for (const v of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) assert.equal(negotiate(v), v);
  assert.deepEqual([...SUPPORTED_VERSIONS], ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);
});

test('`negotiate()` counter-offers the latest version for anything else', () => {
  assert.equal(LATEST_VERSION, '2025-11-25');
  for (const v of ['2026-07-28', '2099-01-01', '2024-10-07', '', '2025-06-18 ', '2025-6-18', 'latest', '__proto__']) {
    assert.equal(negotiate(v), '2025-11-25', JSON.stringify(v));
  }
});

test('`featuresOf()` enables batches only under 2025-03-26', () => {
  assert.deepEqual(SUPPORTED_VERSIONS.map((v) => featuresOf(v).batches), [false, false, true, false]);
});

test('`featuresOf()` enables annotations from 2025-03-26 on', () => {
  assert.deepEqual(SUPPORTED_VERSIONS.map((v) => featuresOf(v).annotations), [true, true, true, false]);
});

test('`featuresOf()` enables structured content, titles and resource links from 2025-06-18 on', () => {
  assert.deepEqual(SUPPORTED_VERSIONS.map((v) => featuresOf(v).structured), [true, true, false, false]);
});

test('`featuresOf()` reports bad tool arguments as isError results only from 2025-11-25', () => {
  assert.deepEqual(SUPPORTED_VERSIONS.map((v) => featuresOf(v).argumentErrorsAsResults), [true, false, false, false]);
});

test('`featuresOf()` carries the version it describes', () => {
  for (const v of SUPPORTED_VERSIONS) assert.equal(featuresOf(v).version, v);
});
