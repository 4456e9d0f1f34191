// Release order (src/update/version_order.ts), by Semantic Versioning's precedence: numeric parts as
// numbers, a pre-release before its release, identifiers compared part by part, build metadata ignored,
// and anything that is not a version incomparable (NaN), so stage can never mistake it for newer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions } from '../../src/update/version_order.ts';

/** Semver 2.0.0's own example order, each older than the next. */
const ORDER = [
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '1.0.1',
  '1.2.0',
  '1.10.0',
  '2.0.0',
];

test('the semver example order holds both ways', () => {
  for (let i = 0; i < ORDER.length; i++) {
    for (let j = 0; j < ORDER.length; j++) {
      const c = compareVersions(ORDER[i] as string, ORDER[j] as string);
      assert.equal(Math.sign(c), Math.sign(i - j), `${ORDER[i]} vs ${ORDER[j]}`);
    }
  }
});

test('build metadata, a "v" prefix and missing parts do not change the order', () => {
  assert.equal(compareVersions('1.0.0+build.5', '1.0.0+other'), 0);
  assert.equal(compareVersions('v1.2.3', '1.2.3'), 0);
  assert.equal(compareVersions('1.2', '1.2.0'), 0);
  assert.ok(compareVersions('1.2.0.1', '1.2') > 0);
});

test('what is not a version compares as NaN', () => {
  for (const bad of ['', 'latest', '1.0.0-', '1..0', '1.0.0-a b', `1.${'9'.repeat(10)}.0`, '1.0.0-' + 'a'.repeat(65)]) {
    assert.ok(Number.isNaN(compareVersions(bad, '1.0.0')), bad);
    assert.ok(Number.isNaN(compareVersions('1.0.0', bad)), bad);
  }
});
