// The time-of-check/time-of-use race: a separate process swaps a folder inside the root for a symlink to
// an outside folder (rename dir <-> symlink) in a tight loop, while the server reads through that folder
// 1,000 times with read_doc, resources/read, outline_doc and search_docs. Not a single outside byte may
// come back: the checks on the opened descriptor (realpath containment, inode identity) must catch
// every swap that the per-component lstat walk missed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';
import { auditText } from '../helpers/attack_judge.ts';

const READS = Number(process.env['DOCWARDEN_RACE_READS'] ?? 1000); // raise it to measure a rare leak rate
const WINDOW = 8; // requests in flight at once
const SWAP_MS = 180_000; // a hang guard: the swapper stops by itself even if the test dies

// Runs in the child: says "go", then flips `dir` between the real folder and a symlink to `out` as fast
// as it can until `stop` exists or `ms` passed, and prints how many swaps it made. (A signal handler
// could not stop it: a synchronous loop never runs one.)
const SWAPPER = `
const fs = require('fs');
const [dir, real, out, stop, ms] = process.argv.slice(1);
const end = Date.now() + Number(ms);
let n = 0;
process.stdout.write('go\\n');
while (Date.now() < end && !fs.existsSync(stop)) {
  for (let i = 0; i < 64; i++, n++) {
    fs.renameSync(dir, real);
    fs.symlinkSync(out, dir);
    fs.unlinkSync(dir);
    fs.renameSync(real, dir);
  }
}
process.stdout.write(String(n));
`;

function request(i: number, token: string): Json {
  const kind = i % 10;
  if (kind < 4) return { method: 'tools/call', params: { name: 'read_doc', arguments: { path: 'swap/doc.md' } } };
  if (kind < 7) return { method: 'resources/read', params: { uri: 'docs://docs/swap/doc.md' } };
  if (kind < 8) return { method: 'tools/call', params: { name: 'outline_doc', arguments: { path: 'swap/doc.md' } } };
  return {
    method: 'tools/call',
    params: { name: 'search_docs', arguments: { query: token, mode: 'literal', path: 'swap' } },
  };
}

function served(m: Message): boolean {
  if (m.error !== undefined) return false;
  const r = m.result as Json & { isError?: boolean; structuredContent?: Json };
  if (r['contents'] !== undefined) return true;
  return r.isError !== true;
}

for (const symlinks of ['within-root', 'deny'] as const) {
  describe(`a folder swapped for an outside symlink while it is read, files.symlinks "${symlinks}" (${RUNTIME})`, () => {
    const token = randomBytes(8).toString('hex');
    const canary = `QZRACE${token}`;
    let root: string;
    let c: Client;
    let swapper: ChildProcess;
    let swaps: Promise<number>;
    let stopFile: string;

    before(async () => {
      const base = tempDir('dw-race-');
      root = makeTree({ 'a.md': '# A\n', 'swap/doc.md': '# Inside\n\nsafe text\n' }, join(base, 'docs'));
      const outside = makeTree({ 'doc.md': `# ${canary}\n\n${canary} ${token}\n` }, join(base, 'outside'));
      c = await startReady({
        config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 }, files: { symlinks } },
        extraRead: [outside],
      });
      // Before the race the folder is an ordinary one and its document is served.
      const calm = await c.call('read_doc', { path: 'swap/doc.md' });
      assert.match(c.textOf(calm), /safe text/, 'the inside document is readable before the race');
      stopFile = join(base, 'stop');
      swapper = spawn(process.execPath, [
        '-e',
        SWAPPER,
        join(root, 'swap'),
        join(root, 'swap-real'),
        outside,
        stopFile,
        String(SWAP_MS),
      ], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      let go: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (go = resolve));
      swapper.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('go\n')) go();
      });
      swaps = new Promise((resolve) => swapper.on('exit', () => resolve(Number(out.split('\n')[1]) || 0)));
      await started;
    });
    after(async () => {
      writeFileSync(stopFile, '');
      await swaps;
      await c.close();
    });

    test(`${READS} reads through the swapping folder never return an outside byte`, async (t) => {
      const replies: Message[] = [];
      const started = Date.now();
      let exposed = 0; // plain reads by this process that went through the symlink: the race is real
      for (let i = 0; i < READS; i += WINDOW) {
        const batch = Array.from({ length: Math.min(WINDOW, READS - i) }, (_, j) => request(i + j, token));
        const pending = Promise.all(batch.map((r) => c.request(String(r['method']), r['params'] as Json)));
        for (let k = 0; k < 4; k++) {
          try {
            if (readFileSync(join(root, 'swap/doc.md'), 'utf8').includes(canary)) exposed++;
          } catch {
            // mid-swap: the path does not exist for an instant
          }
        }
        replies.push(...(await pending));
      }
      // On a loaded machine the few samples above may all miss the link: keep sampling (counted, not timed)
      // until one sees it; the swapper's own limit (SWAP_MS) is the hang guard.
      for (let n = 0; exposed === 0 && n < 100_000 && swapper.exitCode === null; n++) {
        try {
          if (readFileSync(join(root, 'swap/doc.md'), 'utf8').includes(canary)) exposed++;
        } catch {
          // mid-swap
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      writeFileSync(stopFile, '');
      const flips = await swaps;
      const ok = replies.filter(served).length;
      const leakedReplies = replies.filter((m) => JSON.stringify(m).includes(canary)).length;
      t.diagnostic(
        `${Date.now() - started} ms, ${flips} swaps; ${ok} of ${READS} reads served the inside file, ${
          READS - ok
        } refused; ${exposed} naive reads got outside bytes; ${leakedReplies} replies carried outside bytes`,
      );
      assert.ok(flips > 0, 'the swapper never ran');
      // The guard that makes this test able to fail: plain reads of the same path did see outside bytes.
      assert.ok(exposed > 0, 'no naive read ever went through the symlink: the race was not exercised');
      assert.equal(replies.length, READS);
      assert.deepEqual((await c.request('ping')).result, {});
      assert.ok(!auditText(c).includes(canary), 'an outside byte reached the audit log');
      // Under Node on Linux the server asks the kernel where each opened file is (/proc/self/fd): no
      // race can pass. Deno's sandbox refuses /proc/self/fd without --allow-all, so there the check is
      // by path, which a folder flipped several times within microseconds can beat (known, documented
      // in docs/security.md "Races"): reported as a TODO under Deno instead of failing.
      const leaked = c.stdout.includes(canary);
      if (leaked && RUNTIME === 'deno') {
        t.todo('deno: a path-based check was raced; see docs/security.md "Races"');
        return;
      }
      assert.ok(!leaked, 'an outside byte reached stdout');
      for (const m of replies)
        assert.ok(!JSON.stringify(m).includes(canary), `outside bytes served: ${JSON.stringify(m).slice(0, 300)}`);
    });
  });
}
