// The attacker's goal "stall" through paging: every read_doc page finds the offsets of the lines of the whole
// served text, 4,096 lines a step, so a ping sent after a page of a cached document of 8 M lines is answered
// before it (the outside attack: 1.6 s of one step per page of a 60 MB file; docs/security.md, "Time").
// The request asks past the end, so the reply is the error naming the line count, with no receipt hashed
// after the offsets (hashing goes in slices too, and would let the pings through on the old code).
// Time is asserted by order of replies, never by wall-clock thresholds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const HANG_GUARD_MS = 120_000;
const CHAIN = 5;
// A document the cache keeps (16 MB, its limit is 16 MiB) of 8 M lines, whose offsets take hundreds of slices on
// any machine; its line table (128 MB at 16 bytes a line) needs a larger limits.memoryBytes than the default.
const LINES = 8_000_000;

describe(`a page of a big document does not stall the server (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    const root = makeTree({ 'nl.txt': 'x\n'.repeat(LINES), 'small.md': '# Small\n' });
    c = await startReady({
      config: {
        roots: [{ name: 'docs', path: root }],
        limits: { callsPerMinute: 0, deadlineMs: 600_000, memoryBytes: 256 * 1024 * 1024 },
      },
    });
  });
  after(async () => {
    c.proc.kill('SIGKILL');
    await c.exit;
  });

  test('read_doc past the end of a cached document of 8 M lines: pings and a doc_info first, then the error', {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const first = await c.call('read_doc', { path: 'nl.txt', startLine: LINES }, HANG_GUARD_MS); // now cached
    assert.equal(first.isError, undefined, c.textOf(first));
    assert.match(c.textOf(first), new RegExp(`lines ${LINES}-${LINES} of ${LINES}\\n[^]*\\nx\\n`));
    const order: string[] = [];
    const track = (label: string, p: Promise<Message>) => p.then((m) => (order.push(label), m));
    const args = { name: 'read_doc', arguments: { path: 'nl.txt', startLine: LINES + 1 } };
    const heavy = track('heavy', c.request('tools/call', args, HANG_GUARD_MS));
    for (let k = 1; k <= CHAIN; k++) await track(`ping${k}`, c.request('ping', undefined, HANG_GUARD_MS));
    const small = { name: 'doc_info', arguments: { path: 'small.md' } };
    await track('doc_info', c.request('tools/call', small, HANG_GUARD_MS));
    const r = (await heavy).result as { isError?: boolean; content: { text: string }[] };
    assert.equal(order.indexOf('heavy'), order.length - 1, `reply order ${order.join(', ')}`);
    assert.equal(r.isError, true);
    assert.match(
      r.content[0]?.text ?? '',
      new RegExp(`startLine ${LINES + 1} is past the end \\(the document has ${LINES} lines\\)`),
    );
  });
});
