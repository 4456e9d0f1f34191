// A client that stops reading stdout must slow the server down, not grow it: unwritten replies count
// against the work in flight, so 600 pipelined 100 KB replies never pile up in memory. The invariant is
// counted, not timed: while the client is not reading, the server finishes (and audits) only as many
// calls as the in-flight limit and the 1 MiB reply backlog allow; peak RSS is a secondary guard, set well
// below what 600 held pages would cost, since the garbage V8 keeps before collecting depends on the load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { HANG_GUARD_MS, RUNTIME, startReady } from '../helpers/harness.ts';
import { peakRssMiB, until } from '../helpers/proc_status.ts';
import { exitWithin } from '../helpers/wire.ts';

test(`a client that stops reading gets every reply later, and the server's memory stays bounded (${RUNTIME})`, {
  timeout: 5 * HANG_GUARD_MS,
}, async () => {
  const line = 'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(3) + '\n';
  const root = makeTree({ 'big.md': `# Big\n\n${line.repeat(8000)}` }); // about 1.3 MB: every page is a full 100 KB reply
  const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } } });
  try {
    const n = 600;
    c.proc.stdout.pause(); // the client stops reading: the pipe fills, the server must wait
    const lines: string[] = [];
    for (let i = 0; i < n; i++)
      lines.push(
        JSON.stringify({
          jsonrpc: '2.0',
          id: `slow-${i}`,
          method: 'tools/call',
          params: { name: 'read_doc', arguments: { path: 'big.md' } },
        }),
      );
    c.sendRaw(lines.join('\n') + '\n');
    const finished = () => c.auditRecords().filter((r) => String(r['id']).startsWith('slow-')).length;
    // Wait until the server stops finishing calls (three equal counts in a row), so a pile-up would show.
    let last = -1;
    for (let same = 0; same < 3;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = finished();
      same = now === last ? same + 1 : 0;
      last = now;
    }
    const whilePaused = peakRssMiB(c.proc.pid);
    // 16 in flight + a 1 MiB backlog of 100 KB pages + the pipe's 64 KiB: about 30; piled up, all 600.
    assert.ok(last <= 40, `${last} of ${n} calls finished while the client was not reading (bound 40)`);
    c.proc.stdout.resume();
    await until(
      'replies',
      () => c.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith('slow-')).length,
      n,
      4 * HANG_GUARD_MS,
      c,
    );
    const peak = peakRssMiB(c.proc.pid);
    if (peak !== null) {
      // 600 held pages would be 60 MB of strings, several times over in copies, on top of the baseline.
      // Measured on a loaded 2-core machine: Node 204-212 MiB, Deno 200-268 MiB (garbage not yet collected).
      const limit = RUNTIME === 'deno' ? 360 : 300;
      assert.ok(
        peak < limit,
        `peak RSS ${peak.toFixed(0)} MiB (while paused: ${whilePaused?.toFixed(0)} MiB), limit ${limit}`,
      );
    }
    const answered = c.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith('slow-'));
    assert.equal(new Set(answered.map((m) => m.id)).size, n, 'each request answered exactly once');
    assert.ok(answered.every((m) => m.result && !(m.result as { isError?: boolean }).isError));
  } finally {
    await c.close();
  }
});

// Under Deno stdin's end was never seen to arrive while the server had paused reading; had it, the server would
// have stopped with requests read but unanswered. Counted: every ping sent before the end is answered once, then
// the server exits 0 with "stop" as its last record.
test(
  `stdin ending while the server has paused reading: every request before the end answered, then a clean exit (${RUNTIME})`,
  {
    timeout: 2 * HANG_GUARD_MS,
  },
  async () => {
    const c = await startReady({ config: { roots: [{ name: 'docs', path: makeTree({ 'a.md': '# A\n' }) }] } });
    const n = 20_000;
    c.proc.stdout.pause(); // replies pile up in the pipe: the server pauses stdin
    c.sendRaw(
      Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: `p-${i}`, method: 'ping' }))
        .join('\n') + '\n',
    );
    c.proc.stdin.end();
    await new Promise((r) => setTimeout(r, 1000)); // a second for an early end to show; not a speed target
    c.proc.stdout.resume();
    const closed = new Promise((r) => c.proc.on('close', r)); // exited, and its stdout read to the end
    const exit = await exitWithin(c, HANG_GUARD_MS).finally(() => c.proc.exitCode === null && c.proc.kill('SIGKILL'));
    await closed;
    const answered = c.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith('p-'));
    assert.equal(new Set(answered.map((m) => m.id)).size, n, 'every ping answered');
    assert.equal(answered.length, n, 'each exactly once');
    assert.equal(exit.code, 0, c.stderr);
    assert.equal(c.auditRecords().at(-1)?.['event'], 'stop');
  },
);

// Outside attack: 300 calls sent at once, then stdin's end. The replies not yet written held the queued calls back,
// and the shutdown's drain waited on the (empty) set of running calls: a promise that resolved at once, in a loop that
// never let a write, a timer or a signal run. The server spun at full CPU, answered 8 of 301 and wrote no "stop".
test(`stdin ending with more calls queued than run at once: each gets one reply, then a clean exit (${RUNTIME})`, {
  timeout: 2 * HANG_GUARD_MS,
}, async () => {
  const c = await startReady({ config: { roots: [{ name: 'docs', path: makeTree({ 'a.md': '# A\n' }) }] } });
  const n = 300; // over limits.inFlight x 17 = 272 with the defaults; each reply is the whole tool list
  c.sendRaw(
    Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: `q-${i}`, method: 'tools/list' }))
      .join('\n') + '\n',
  );
  c.proc.stdin.end();
  const closed = new Promise((r) => c.proc.on('close', r));
  const exit = await exitWithin(c, HANG_GUARD_MS).finally(() => c.proc.exitCode === null && c.proc.kill('SIGKILL'));
  await closed;
  const replies = c.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith('q-'));
  assert.equal(new Set(replies.map((m) => m.id)).size, n, 'every call answered (a result, or "shutting down")');
  assert.equal(replies.length, n, 'each exactly once');
  assert.equal(exit.code, 0, c.stderr);
  assert.equal(c.auditRecords().at(-1)?.['event'], 'stop');
});
