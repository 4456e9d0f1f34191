// Memory of a running server process, read from /proc/<pid>/status (Linux): VmHWM is the peak resident
// set size since the process started, so one read after a flood tells whether it ever held too much.
import { readFileSync } from 'node:fs';
import type { Client, Message } from './harness.ts';

/** Peak resident set size in MiB, or null where /proc is not available. */
export function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Resolves once `count()` reaches `target` (polling, so ten thousand waiters are not needed). */
export async function until(
  what: string,
  count: () => number,
  target: number,
  timeoutMs: number,
  c?: Client,
): Promise<void> {
  const started = Date.now();
  while (count() < target) {
    if (c !== undefined && c.proc.exitCode !== null) {
      throw new Error(
        `The server exited (status ${c.proc.exitCode}) while waiting for ${what}: ${count()} of ${target}; stderr: ${
          c.stderr.slice(-300)
        }`,
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}: ${count()} of ${target}${
          c ? `; stderr: ${c.stderr.slice(-300)}` : ''
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Responses on stdout by id (batch replies flattened); server-to-client requests are left out. */
export function responsesById(c: Client): Map<unknown, Message[]> {
  const out = new Map<unknown, Message[]>();
  for (const m of c.messages) {
    if (m.method !== undefined || !Object.hasOwn(m, 'id')) continue;
    const list = out.get(m.id) ?? [];
    list.push(m);
    out.set(m.id, list);
  }
  return out;
}

export const MAX_RSS_MIB = 150;

type Ctx = { readonly diagnostic: (m: string) => void };

/** Asserts the peak RSS of a server is under the 150 MiB target (180 under Deno, whose collector keeps more:
 * measured 139.6 to 150.2 MiB after 10,000 pipelined requests). */
export function assertPeakRss(t: Ctx, c: Client, runtime: string, what: string): void {
  const peak = peakRssMiB(c.proc.pid);
  if (peak === null) return t.diagnostic('peak RSS not measurable here (no /proc)');
  t.diagnostic(`${what}: peak RSS ${peak.toFixed(1)} MiB`);
  const limit = runtime === 'deno' ? 180 : MAX_RSS_MIB;
  if (peak >= limit) throw new Error(`${what}: peak RSS ${peak.toFixed(1)} MiB (${runtime}), over ${limit} MiB`);
}
