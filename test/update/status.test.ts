// status: live, staged (verified or not) and previous with hashes and versions, and the leftovers an
// interrupted step may leave; it reads only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { UpdateContext } from '../../src/update/context.ts';
import { layoutOf, tempNameFor } from '../../src/update/layout.ts';
import { status, statusReport } from '../../src/update/status.ts';
import { NO_TRAIL } from '../../src/update/trail.ts';
import { tempDir } from '../helpers/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const bundle = (v: string) => `var SERVER_VERSION = true ? "${v}" : "";\n`;

test('statusReport() describes each slot and the leftovers', () => {
  const l = layoutOf(tempDir('dw-status-'));
  assert.deepEqual(statusReport(l), {
    dir: l.dir,
    live: null,
    staged: null,
    previous: null,
    leftovers: [],
    locked: false,
    trustedKey: null,
  });
  mkdirSync(l.stagingDir);
  mkdirSync(l.previousDir);
  writeFileSync(l.live, bundle('2.0.0'));
  writeFileSync(l.staged, bundle('2.1.0'));
  writeFileSync(l.previous, bundle('1.9.0'));
  writeFileSync(
    l.previousManifest,
    JSON.stringify({ version: '1.9.0', sha256: sha(bundle('1.9.0')), tools: [], testedOn: ['deno 2.9.6'] }),
  );
  writeFileSync(tempNameFor(l.live), 'partial');
  let r = statusReport(l);
  assert.equal(r.live?.version, '2.0.0');
  assert.equal(r.live?.sha256, sha(bundle('2.0.0')));
  assert.equal(r.staged?.verified, false);
  assert.equal(r.previous?.manifest, 'ok');
  assert.deepEqual(r.leftovers, [tempNameFor(l.live)]);
  writeFileSync(l.verified, JSON.stringify({ sha256: sha(bundle('2.1.0')) }));
  r = statusReport(l);
  assert.equal(r.staged?.verified, true);

  const lines: string[] = [];
  const ctx: UpdateContext = {
    layout: l,
    trail: NO_TRAIL,
    out: (s) => lines.push(s),
    runtime: { name: 'node', bin: '' },
    childEnv: {},
    afterStep: () => undefined,
  };
  assert.equal(status(ctx, false), 0);
  const text = lines.join('\n');
  assert.match(text, /live {5}2\.0\.0 {2}sha256 [0-9a-f]{64} {2}\d+ bytes {2}no manifest/);
  assert.match(text, /staged {3}2\.1\.0 .* verified/);
  assert.match(text, /previous 1\.9\.0 .*manifest ok, tested on deno 2\.9\.6/);
  assert.match(text, /leftover .*\.docwarden\.js\.tmp/);
});
