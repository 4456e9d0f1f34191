// Paging cursors: opaque to the client but carrying no secret, base64url JSON bound to the tool (or
// method) and its query, checked field by field on the way back in like any other argument.
import { failure, type Failure } from '../errors/failure.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';

const invalid = (): Failure =>
  failure('invalid_cursor', 'Invalid cursor: pass back the nextCursor value of the previous page unchanged');

export function encodeCursor(tool: string, state: Readonly<Record<string, string | number | null>>): string {
  return encodeBase64Url(JSON.stringify({ t: tool, ...state }));
}

/** The cursor's fields, if it was made by `encodeCursor(tool, …)`; otherwise an invalid_cursor Failure. */
export function decodeCursor(tool: string, cursor: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(decodeBase64Url(cursor));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const fields: Readonly<Record<string, unknown>> = { ...value };
  if (fields['t'] !== tool) throw invalid();
  return fields;
}

/** A field that must be a safe integer from 0 to `max`. */
export function cursorInt(v: Readonly<Record<string, unknown>>, key: string, max: number): number {
  const x = v[key];
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0 || x > max) throw invalid();
  return x;
}
