// The update audit trail: mode 0600 even if loosened, one JSON record per step, and a hash chain
// that continues across runs so a removed or edited record is detectable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openTrail } from '../../src/update/trail.ts';
import { tempDir } from '../helpers/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('openTrail() creates the log with mode 0600 and chains records across runs', () => {
  const path = join(tempDir('dw-trail-'), 'update-audit.jsonl');
  const first = openTrail(path, () => 'T1');
  first.record('stage', 'staged', 'ok', { sha256: 'a'.repeat(64) });
  first.record('verify', 'handshake', 'refused');
  first.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  chmodSync(path, 0o644);
  const second = openTrail(path, () => 'T2');
  second.record('status', 'read', 'info');
  second.close();
  assert.equal(statSync(path).mode & 0o777, 0o600, 'a loosened mode is restored');
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(records.map((r) => [r['seq'], r['command'], r['step'], r['outcome'], r['ts']]), [
    [0, 'stage', 'staged', 'ok', 'T1'],
    [1, 'verify', 'handshake', 'refused', 'T1'],
    [2, 'status', 'read', 'info', 'T2'],
  ]);
  assert.equal(records[0]?.['prev'], '0'.repeat(64));
  assert.equal(records[1]?.['prev'], sha(lines[0] as string));
  assert.equal(records[2]?.['prev'], sha(lines[1] as string), 'the second run continues the chain');
  assert.deepEqual(records[0]?.['detail'], { sha256: 'a'.repeat(64) }, 'hashes are not redacted');
});
