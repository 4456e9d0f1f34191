// Shared helpers for the benchmark sections: run a server for the length of a callback, checked tool
// calls, paged calls that follow nextCursor, and counting a page's items.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { memOf, sleep } from './measure.mjs';
import { resultText } from './rpc.mjs';

/** Starts a server, initializes it, runs fn(client, initMs), and always stops it. */
export async function withServer(factory, fn) {
  const client = factory();
  try {
    const initMs = await client.initialize();
    return await fn(client, initMs);
  } finally {
    await client.close(1500);
  }
}

/** A tools/call that must succeed; throws with the server's message otherwise. */
export async function callOk(client, tool, args) {
  const r = await client.call(tool, args);
  if (r.isError) {
    const why = r.error ? JSON.stringify(r.error) : resultText(r.result).slice(0, 300);
    throw new Error(`Cannot benchmark ${tool} ${JSON.stringify(args)}: ${why}`);
  }
  return r;
}

/** Calls `tool` and follows nextCursor to the end; returns { ms, pages, items, bytes }. */
export async function pagedCall(client, tool, args, maxPages = 10_000) {
  const t0 = performance.now();
  let cursor;
  let pages = 0;
  let items = 0;
  let bytes = 0;
  do {
    const r = await callOk(client, tool, cursor === undefined ? args : { ...args, cursor });
    pages++;
    const sc = r.result.structuredContent ?? {};
    const page = framedPage(r.result);
    items += countItems(sc);
    bytes += page?.text.length ?? (typeof sc.text === 'string' ? sc.text.length : 0);
    cursor = page ? page.cursor : typeof sc.nextCursor === 'string' ? sc.nextCursor : undefined;
  } while (cursor !== undefined && pages < maxPages);
  return { ms: performance.now() - t0, pages, items, bytes };
}

/** read_doc's page: its text block carries the document once, between frame lines (docs/protocol.md). */
export function framedPage(result) {
  const t = String(result?.content?.find((c) => c.type === 'text')?.text ?? '');
  const open = /\n<<<document [^\n]*\n/.exec(t);
  const close = t.lastIndexOf('\n>>>end of document ');
  if (result?.structuredContent !== undefined || !open || close < open.index) return null;
  return { text: t.slice(open.index + open[0].length, close), cursor: /cursor "([^"]+)"$/.exec(t)?.[1] };
}

/** Number of entries in the first array field of a structured result (hits, matches, entries…). */
export function countItems(sc) {
  for (const key of ['hits', 'matches', 'entries', 'items']) if (Array.isArray(sc?.[key])) return sc[key].length;
  return 0;
}

/** VmHWM of a live client process in MB (null when unavailable). */
export const hwmOf = (client) => memOf(client.pid).hwmMB;

export async function repeat(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

/** The detail of process `pid`'s `event` audit record (warm_up, census) in `auditPath` once written (null after `maxMs`). */
export async function warmUpOf(auditPath, pid, maxMs = 120_000, event = 'warm_up') {
  for (const until = performance.now() + maxMs; performance.now() < until; await sleep(50)) {
    const mine = readFileSync(auditPath, 'utf8').split('\n').filter((l) => l.includes(`"pid":${pid},`));
    const record = mine.find((l) => l.includes(`"event":"${event}"`));
    if (record) return JSON.parse(record).detail;
  }
  return null;
}
