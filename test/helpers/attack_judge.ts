// Judging hostile cases against one running server: sends a request, bounds it by a deadline, checks
// the server still answers ping, and scans the raw reply bytes for canaries, host paths and raw
// terminal controls. Problems are collected as strings so one test reports every failing case at once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Client, Json, Message } from './harness.ts';
import type { HostileWorld } from './hostile_fixture.ts';

/** A hang guard per hostile case (see HANG_GUARD_MS): past the server's own deadline (limits.deadlineMs). */
export const CASE_HANG_GUARD_MS = 90_000;

/** Raw controls a reply must never carry inside a tool's text (escaped as \uXXXX instead). */
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

export type Sent = { readonly method: string; readonly params?: Json };

export type CaseResult = {
  readonly reply: Message;
  /** Raw stdout text written between the request and the ping reply that followed it. */
  readonly raw: string;
};

/** Sends one request and a ping after it; rejects if either misses the hang guard. */
export async function runCase(c: Client, sent: Sent): Promise<CaseResult> {
  const from = c.stdout.length;
  const reply = await c.request(sent.method, sent.params, CASE_HANG_GUARD_MS);
  const pong = await c.request('ping', undefined, CASE_HANG_GUARD_MS);
  if (JSON.stringify(pong.result) !== '{}')
    throw new Error(`ping after the case answered ${JSON.stringify(pong).slice(0, 200)}`);
  return { reply, raw: c.stdout.slice(from) };
}

/** Canary marker or a host path the request did not itself carry, anywhere in `raw`. */
export function leaks(
  world: HostileWorld,
  raw: string,
  requestText: string,
  extraPaths: readonly string[] = [],
): string[] {
  const out: string[] = [];
  if (raw.includes(world.marker)) out.push(`canary on stdout: ${excerpt(raw, world.marker)}`);
  for (const p of [...world.hostPaths, ...extraPaths]) {
    if (raw.includes(p) && !requestText.includes(p)) out.push(`host path ${p} in a reply: ${excerpt(raw, p)}`);
  }
  return out;
}

function excerpt(raw: string, needle: string): string {
  const at = raw.indexOf(needle);
  return JSON.stringify(raw.slice(Math.max(0, at - 120), at + needle.length + 40));
}

/** Every string inside a value (keys excluded). */
export function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) { for (const x of v) strings(x, out); }
  else if (typeof v === 'object' && v !== null) { for (const x of Object.values(v)) strings(x, out); }
  return out;
}

/**
 * A tool result whose text or structured content carries a raw control, bidi or invisible character that
 * did not come from the request itself (an echo of the client's own argument is judged separately).
 */
export function rawControls(reply: Message, sent: unknown = {}): string | null {
  const echoes = strings(sent).filter((x) => x.length > 0).sort((a, b) => b.length - a.length);
  for (const raw of strings(reply.result ?? {})) {
    let s = raw;
    for (const e of echoes) s = s.split(e).join('');
    const m = UNSAFE_TEXT.exec(s);
    if (m)
      return `raw U+${(m[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} in ${JSON.stringify(s.slice(0, 120))}`;
  }
  return null;
}

export type ToolResult = Json & { content?: Json[]; structuredContent?: Json; isError?: boolean };

export function toolResult(m: Message): ToolResult | null {
  return (m.result as ToolResult | undefined) ?? null;
}

export function textOf(m: Message): string {
  return (toolResult(m)?.content ?? []).filter((b) => b['type'] === 'text').map((b) => String(b['text'])).join('\n');
}

/** Short description of a reply for failure messages. */
export function brief(m: Message): string {
  return JSON.stringify(m.error ?? m.result ?? m).slice(0, 240);
}

/** The audit log's text, with its rotated files (FILE.N, older as N grows) first, oldest first. */
export function auditText(c: Client): string {
  return c.auditPath === null ? '' : readAuditFiles(c.auditPath);
}

export function readAuditFiles(auditPath: string): string {
  const dir = dirname(auditPath);
  const name = basename(auditPath);
  if (!existsSync(dir)) return '';
  const index = (n: string) => (n === name ? 0 : Number(n.slice(name.length + 1)));
  return readdirSync(dir)
    .filter((n) => n === name || new RegExp(`^${name.replace(/\./g, '\\.')}\\.[1-9][0-9]*$`).test(n))
    .sort((a, b) => index(b) - index(a))
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('\n');
}

/** Every audit record, from the log and any rotated file beside it, in file order. */
export function auditRecordsAll(c: Client): Json[] {
  return auditText(c).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
}
