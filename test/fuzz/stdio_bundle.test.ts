// The same generators through the real bundle over stdio: a few thousand hostile inputs (raw byte
// streams with bad UTF-8 and oversize lines, mutated JSON-RPC envelopes and batches, tool calls with
// mutated arguments), sent in windows that each end with a ping barrier. The server must never crash,
// stdout must stay valid JSON lines with no "id": null, and its peak memory must stay bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { HANG_GUARD_MS, type Json, RUNTIME, startReady } from '../helpers/harness.ts';
import { assertPeakRss } from '../helpers/proc_status.ts';
import { chunks, hostileStream, mulberry32, mutatedArgs, mutatedEnvelope, type Rng } from '../helpers/fuzz_gen.ts';
import { assertCleanWire, pingBarrier } from '../helpers/wire.ts';

const SEED = Number(process.env['DOCWARDEN_FUZZ_SEED'] ?? 20261125) >>> 0;
const INPUTS = 5000;
const WINDOW = 100;
const LINE_BYTES = 4096;

const TOOL_ARGS: Readonly<Record<string, Json>> = {
  list_docs: { path: 'guide', depth: 2 },
  read_doc: { path: 'a.md', startLine: 1 },
  search_docs: { query: 'alpha', mode: 'literal' },
  find_docs: { pattern: '**/*.md' },
  outline_doc: { path: 'a.md' },
  doc_info: { path: 'guide/b.md' },
};
const PROPS = [
  'root',
  'path',
  'depth',
  'limit',
  'cursor',
  'startLine',
  'endLine',
  'heading',
  'lineNumbers',
  'query',
  'mode',
  'glob',
  'caseSensitive',
  'contextLines',
  'pattern',
];

function input(r: Rng, i: number): Uint8Array[] {
  const enc = new TextEncoder();
  switch (r.int(3)) {
    case 0:
      return chunks(r, hostileStream(r, LINE_BYTES));
    case 1:
      return [enc.encode(mutatedEnvelope(r) + '\n')];
    default: {
      const name = r.pick(Object.keys(TOOL_ARGS));
      const props = Object.fromEntries(PROPS.map((p) => [p, {}]));
      const args = mutatedArgs(r, TOOL_ARGS[name] ?? {}, props);
      return [
        enc.encode(
          JSON.stringify({ jsonrpc: '2.0', id: `z${i}`, method: 'tools/call', params: { name, arguments: args } }) +
            '\n',
        ),
      ];
    }
  }
}

test(`${INPUTS} hostile inputs through the real bundle: no crash, clean stdout, bounded memory (seed ${SEED})`, async (t) => {
  const root = makeTree({
    'a.md': '# A\n\nalpha text\n',
    'guide/b.md': '# B\n\n## Part\n\nbeta\n',
    '.env': 'SECRET=1\n',
  });
  const c = await startReady({
    config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0, lineBytes: LINE_BYTES } },
  });
  const r = mulberry32(SEED);
  const started = Date.now();
  try {
    for (let w = 0; w < INPUTS / WINDOW; w++) {
      for (let i = 0; i < WINDOW; i++)
        for (const chunk of input(r, w * WINDOW + i)) if (chunk.length > 0) c.sendRaw(chunk);
      c.sendRaw('\n'); // ends whatever partial line the window left, so the barrier parses
      await pingBarrier(c, `w${w}`, HANG_GUARD_MS);
      assert.equal(c.proc.exitCode, null, `the server exited during window ${w}: ${c.stderr.slice(-400)}`);
    }
    t.diagnostic(`${Date.now() - started} ms, ${c.messages.length} messages received`);
    assertPeakRss(t, c, RUNTIME, `after ${INPUTS} inputs`);
    assert.ok(!c.stdout.includes('SECRET=1'), 'a denied file was served');
    assertCleanWire(c);
    const exit = await c.close();
    assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}; stderr: ${c.stderr.slice(-400)}`);
  } finally {
    if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  }
});
