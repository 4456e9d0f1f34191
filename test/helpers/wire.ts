// Assertions on what the server wrote to stdout, line by line, for the protocol end-to-end suites:
// every line is one JSON-RPC 2.0 message (or a non-empty batch of them) and none carries "id": null.
import assert from 'node:assert/strict';
import type { Client, Json, Message } from './harness.ts';

/** Every complete line written to stdout, parsed (a batch reply stays an array). */
export function stdoutLines(c: Client): unknown[] {
  const lines = c.stdout.split('\n');
  lines.pop(); // the part after the last newline is not a complete line yet
  return lines.filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}

/** Every message on stdout, with the members of batch replies flattened. */
export function flatMessages(c: Client): Message[] {
  return stdoutLines(c).flatMap((l) => (Array.isArray(l) ? (l as Message[]) : [l as Message]));
}

/** Fails unless every stdout line is a JSON-RPC 2.0 message or non-empty batch, and none has "id": null. */
export function assertCleanWire(c: Client): void {
  assert.doesNotMatch(c.stdout, /"id"\s*:\s*null/, 'stdout must never carry "id": null');
  for (const line of stdoutLines(c)) {
    const items = Array.isArray(line) ? line : [line];
    if (Array.isArray(line)) assert.ok(line.length > 0, 'a batch reply must not be empty');
    for (const item of items) {
      assert.ok(
        typeof item === 'object' && item !== null && !Array.isArray(item),
        `not a message: ${JSON.stringify(item)}`,
      );
      const m = item as Json;
      assert.equal(m['jsonrpc'], '2.0', `jsonrpc must be "2.0": ${JSON.stringify(m).slice(0, 200)}`);
      assert.ok(
        !(Object.hasOwn(m, 'id') && m['id'] === null),
        `message with "id": null: ${JSON.stringify(m).slice(0, 200)}`,
      );
    }
  }
}

/** Responses (results or errors, also inside batch replies) carrying this id. */
export function responsesTo(c: Client, id: string | number): Message[] {
  return flatMessages(c).filter((m) => m.method === undefined && Object.hasOwn(m, 'id') && m.id === id);
}

/** Sends a ping with a fresh string id and resolves once its reply arrives: everything sent before it was read. */
export async function pingBarrier(c: Client, tag: string, timeoutMs = 10000): Promise<Message> {
  const id = `barrier-${tag}`;
  c.send({ jsonrpc: '2.0', id, method: 'ping' });
  const r = await c.waitFor((m) => m.id === id && m.method === undefined, timeoutMs);
  assert.deepEqual(r.result, {}, `ping must answer {}: ${JSON.stringify(r)}`);
  return r;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Number of audit records with event "request" per id. */
export function auditRequestCounts(c: Client): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  for (const a of c.auditRecords()) {
    if (a['event'] !== 'request' || !Object.hasOwn(a, 'id')) continue;
    counts.set(a['id'], (counts.get(a['id']) ?? 0) + 1);
  }
  return counts;
}

/** Resolves with the exit status, or rejects after `ms`. */
export function exitWithin(c: Client, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`the server did not exit within ${ms} ms; stderr: ${c.stderr.slice(-300)}`)),
      ms,
    );
    void c.exit.then((e) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}
