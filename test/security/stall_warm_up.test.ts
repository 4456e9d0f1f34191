// The attacker's goal "stall" without a single call: a planted document is decoded and redacted by the
// warm-up after the handshake, a slice at a time like any load, so a chain of pings sent after the
// handshake is answered while the warm-up still runs (the outside attack: a 20 M-character file of
// credentials held the loop 3 s in one step, at every session's start; docs/security.md, "Time").
// Asserted by order (the audit log is written synchronously), never by wall-clock thresholds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { HANG_GUARD_MS, type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const CHAIN = 5;
// A URL credential, an AWS key id and a GitHub token on every line: redaction changes every piece.
const LINE = `see https://user:Tr0ub4dor@db.example.com/x and AKIAABCDEFGHIJKLMNOP ghp_${'a'.repeat(36)}\n`;
const CHARS = 11_900_000; // under the search cache's 12 M characters a file: the warm-up reads it

describe(`the warm-up does not stall the server (${RUNTIME})`, () => {
  test('a chain of pings after the handshake is answered before the warm-up of 12 M characters ends', {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const root = makeTree({ 'cred.md': LINE.repeat(Math.floor(CHARS / LINE.length)) });
    const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { deadlineMs: 600_000 } } });
    try {
      const warm = () => c.auditRecords().find((r) => r['event'] === 'warm_up');
      for (let k = 1; k <= CHAIN; k++) {
        await c.request('ping', undefined, HANG_GUARD_MS);
        assert.equal(warm(), undefined, `the warm-up ended before ping ${k} was answered`);
      }
      const until = Date.now() + HANG_GUARD_MS; // a hang guard, not a speed target
      while (warm() === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const detail = warm()?.['detail'] as Json | undefined;
      assert.equal(detail?.['files'], 1, JSON.stringify(warm())); // the file was read, so the order means something
    } finally {
      c.proc.kill('SIGKILL');
      await c.exit;
    }
  });
});
