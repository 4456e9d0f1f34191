// The attacker's goal "bloat" through requests that wait: with every slot held by reads waiting for the
// user's consent, pipelined megabyte lines stay queued, and their parsed params take ~20 times their line
// (72 such lines reached 1,772 MiB). Queued requests are charged the length of their line and stdin pauses
// while they add up to more than 4 MiB (docs/security.md, "Memory"), so the server stops reading: a ping
// sent after 6 MB of queued lines is answered only once a slot frees up (here, when a consent request
// times out after 10 s; the old code parsed all 6 MB well before that and answered the ping first),
// never while the lines wait. Asserted by the order of replies, not by timing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const SLOTS = 16; // limits.inFlight's default
const BIG_LINES = 6;
// A line just under limits.lineBytes (1 MiB): tools/list ignores `pad`, but its parse is held while queued.
const PAD = Array.from({ length: 330_000 }, () => ({}));

describe(`queued requests are bounded by their bytes, not only their count (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    const root = makeTree({ 'private/a.md': '# Private\n', 'a.md': '# Public\n' });
    c = await startReady(
      {
        config: {
          roots: [{ name: 'docs', path: root }],
          confirm: { paths: ['private/**'], timeoutMs: 10_000 },
          limits: { callsPerMinute: 0 },
        },
      },
      '2025-11-25',
      { elicitation: {} },
    );
    c.onServerRequest = () => null; // the user never answers
  });
  after(async () => {
    c.proc.kill('SIGKILL');
    await c.exit;
  });

  test('6 MB of queued lines behind 16 reads waiting for consent: stdin pauses until the reads end', async () => {
    const order: string[] = [];
    const track = (label: string, p: Promise<Message>) => p.then((m) => (order.push(label), m));
    const args = { name: 'read_doc', arguments: { path: 'private/a.md' } };
    const reads = Array.from({ length: SLOTS }, () => track('read', c.request('tools/call', args, HANG_GUARD_MS)));
    for (let k = 1; k <= SLOTS; k++) {
      await c.waitFor(() => c.messages.filter((m) => m.method === 'elicitation/create').length >= k);
    }
    const lists = Array.from(
      { length: BIG_LINES },
      () => track('list', c.request('tools/list', { pad: PAD }, HANG_GUARD_MS)),
    );
    const ping = await track('ping', c.request('ping', undefined, HANG_GUARD_MS));
    assert.deepEqual(ping.result, {});
    for (const r of await Promise.all(reads)) assert.equal((r.result as { isError?: boolean }).isError, true);
    for (const l of await Promise.all(lists)) assert.ok(Array.isArray((l.result as { tools?: unknown }).tools));
    // Unread while the queue held 6 MB behind 16 held slots: the ping comes after the first read ended (the old
    // code answered it before any). Once one read's consent times out, queued lines run, the queue falls under
    // 4 MiB and stdin resumes, so the ping may pass reads whose timeouts end a little later (seen under Deno).
    assert.ok(order.indexOf('ping') > order.indexOf('read'), `reply order ${order.join(', ')}`);
  });
});
