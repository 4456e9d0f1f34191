// Secrets in served text (docs/security.md, "Secrets in served text"): with files.redactSecrets on,
// every string of a tools/call or resources/read reply passes the audit log's high-confidence rules
// before it leaves; the reply's `_meta` and the audit record count what was redacted. One place for
// every tool, so no tool can forget it.
import { redactServed } from '../audit/redact.ts';

export const REDACTED_META = 'io.github.docwarden/redacted';

/** `v` itself when nothing in it changed: an ordinary reply is not copied (10,000 pipelined calls). */
function walk(v: unknown, counts: Map<string, number>): unknown {
  if (typeof v === 'string') return redactServed(v, counts);
  if (typeof v !== 'object' || v === null) return v;
  let out: Record<string, unknown> | null = null;
  for (const [k, x] of Object.entries(v)) {
    const y = walk(x, counts);
    if (y !== x) (out ??= { ...v })[k] = y;
  }
  return out === null ? v : Array.isArray(v) ? v.map((x, i) => out?.[String(i)] ?? x) : out;
}

type Redacted = { reply: Record<string, unknown>; redacted: Record<string, number> | null };

/** The reply with secrets redacted, and the count per family (text and structured copies count once). */
export function redactReply(reply: Record<string, unknown>): Redacted {
  const fromText = new Map<string, number>();
  const fromData = new Map<string, number>();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reply)) out[k] = walk(v, k === 'structuredContent' ? fromData : fromText);
  const redacted: Record<string, number> = {};
  for (const f of new Set([...fromText.keys(), ...fromData.keys()])) {
    redacted[f] = Math.max(fromText.get(f) ?? 0, fromData.get(f) ?? 0);
  }
  if (Object.keys(redacted).length === 0) return { reply, redacted: null };
  out['_meta'] = { ...(out['_meta'] as Record<string, unknown> | undefined), [REDACTED_META]: redacted };
  return { reply: out, redacted };
}
