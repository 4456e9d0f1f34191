// A client that stops reading stdout must slow the server down, not grow it: unwritten replies count
// against the work in flight, so 600 pipelined 100 KB replies never pile up in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { HANG_GUARD_MS, RUNTIME, startReady } from '../helpers/harness.ts';
import { peakRssMiB, until } from '../helpers/proc_status.ts';

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
    await new Promise((r) => setTimeout(r, 1500));
    const whilePaused = peakRssMiB(c.proc.pid);
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
      // 600 replies of 100 KB held at once would be 60 MB of strings, several times over in copies.
      // Deno keeps more garbage than Node (docs/performance.md); both hold the file's text in the search
      // cache too, read by the warm-up after the handshake (Node: peak 145 MiB without it, 168 with it).
      const limit = RUNTIME === 'deno' ? 240 : 180;
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
