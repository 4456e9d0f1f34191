// The updater's client for a server it starts (src/update/mcp_client.ts), against small hand-written server
// processes: replies are matched to requests, anything on stdout that is not JSON-RPC is kept as a
// violation, a server-to-client request is answered "not supported", a crash fails every waiting request
// with the exit and stderr, a process that cannot start is named, and close ends the process through stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess } from '../../src/update/mcp_client.ts';
import { UpdateError } from '../../src/update/files.ts';

/** A server written in `body`, run by this Node: `on(msg)` gets each parsed line, `out(obj)` writes one. */
function server(body: string) {
  const script = `const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
    let buf = ''; process.stdin.on('data', (d) => { buf += d; let i;
      while ((i = buf.indexOf('\\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); on(JSON.parse(line)); } });
    process.stdin.on('end', () => process.exit(0));
    ${body}`;
  return startServerProcess({ cmd: process.execPath, args: ['-e', script], env: {} });
}

test('replies find their requests in any order; stray stdout is a violation; close exits through stdin', async () => {
  const run = server(`
    process.stdout.write('hello from a banner\\n');
    const held = [];
    let answered = null;
    function on(m) {
      if (m.method === 'slow') return held.push(m);
      if (m.method === 'ask') out({ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' });
      if (m.method === 'fail') return out({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'bad' } });
      if (m.result !== undefined || m.error !== undefined) return (answered = m);
      if (m.method === 'answered') return out({ jsonrpc: '2.0', id: m.id, result: { answered } });
      out({ jsonrpc: '2.0', id: m.id, result: { echo: m.method } });
      for (const h of held.splice(0)) out({ jsonrpc: '2.0', id: h.id, result: { echo: 'slow' } });
    }`);
  try {
    const slow = run.request('slow');
    const fast = await run.request('fast', { x: 1 });
    assert.deepEqual((await slow).result, { echo: 'slow' });
    assert.deepEqual(fast.result, { echo: 'fast' });
    assert.match(fast.raw, /"echo":"fast"/);
    assert.deepEqual((await run.request('fail')).error, { code: -32602, message: 'bad' });
    await run.request('ask');
    const answered = (await run.request('answered')).result?.['answered'];
    assert.deepEqual(answered, { jsonrpc: '2.0', id: 'srv-1', error: { code: -32601, message: 'Method not found' } });
    assert.deepEqual(run.violations, ['hello from a banner']);
    assert.equal(run.sent(), 5);
  } finally {
    await run.close(); // a failed assertion must not leave the server running
  }
  assert.deepEqual(await run.close(), { code: 0, signal: null, timedOut: false }, 'closed through stdin');
});

test('a server that dies fails every waiting request with its exit and stderr; later requests too', async () => {
  const run = server(`function on(m) { process.stderr.write('fatal: out of luck\\n'); process.exit(3); }`);
  await assert.rejects(
    run.request('tools/list'),
    (e: unknown) =>
      e instanceof UpdateError &&
      /^Cannot tools\/list: the server exited \(code 3\) before answering; stderr: fatal: out of luck/.test(e.message),
  );
  await assert.rejects(run.request('ping'), /Cannot ping: the server is not running/);
  assert.equal((await run.close()).code, 3);
});

test('a reply that is neither a result object nor an error is refused; a missing program is named', async () => {
  const run = server(`function on(m) { out({ jsonrpc: '2.0', id: m.id, result: 'text' }); }`);
  await assert.rejects(run.request('x'), /Cannot x: the reply has neither an object result nor an error/);
  await run.close();
  const missing = startServerProcess({ cmd: '/nonexistent/runtime', args: [], env: {} });
  await assert.rejects(missing.request('initialize'), /cannot start "\/nonexistent\/runtime" \(ENOENT\)/);
});
