// The JSONL audit log: one record per request, redacted before writing, hash-chained so that an edited,
// deleted or reordered record is detectable, written with one synchronous append so none is lost on exit.
import type { Host } from '../runtime/host.ts';
import { redactValue } from './redact.ts';

export type Outcome = 'ok' | 'error' | 'denied' | 'refused' | 'cancelled' | 'info';

export type AuditFields = {
  readonly event: string;
  readonly era?: string | undefined;
  readonly id?: string | number | undefined;
  readonly method?: string | undefined;
  readonly tool?: string | undefined;
  readonly args?: unknown;
  readonly files?: readonly string[] | undefined;
  readonly outcome: Outcome;
  readonly code?: number | null | undefined;
  readonly reason?: string | null | undefined;
  readonly ms?: number | undefined;
  readonly bytes?: number | undefined;
  readonly detail?: unknown;
};

export type AuditLog = {
  readonly write: (fields: AuditFields) => void;
  readonly records: () => number;
  readonly close: () => void;
};

export const GENESIS = '0'.repeat(64);

/** JSON.stringify leaves U+2028, U+2029 and U+0085 raw; some JSONL readers split lines on them. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function createAuditLog(host: Host, path: string): AuditLog {
  const sink =
    path === 'stderr'
      ? { append: (line: string) => host.writeStderr(line), close: () => undefined }
      : host.openAppend(path);
  let seq = 0;
  let prev = GENESIS;
  return {
    write(fields) {
      const record = {
        v: 1,
        ts: host.wallClockIso(),
        seq: seq++,
        prev,
        pid: host.pid,
        ...stripUndefined(fields),
        args: fields.args === undefined ? undefined : redactValue(fields.args),
        detail: fields.detail === undefined ? undefined : redactValue(fields.detail),
      };
      const line = toJsonLine(record);
      prev = host.sha256Hex(line);
      sink.append(line + '\n');
    },
    records: () => seq,
    close: () => sink.close(),
  };
}

function stripUndefined(fields: AuditFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}
