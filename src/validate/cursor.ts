// Paging cursors: opaque to the client but carrying no secret, base64url JSON bound to the tool (or
// method) and its query, checked field by field on the way back in like any other argument.
import { failure, type Failure } from '../errors/failure.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';

/** The invalid_cursor failure, naming the field that is wrong (a forged cursor gets -32602, never -32603). */
export const invalidCursor = (field?: string, rule?: string): Failure => failure('invalid_cursor', 'Invalid cursor: ' +
  `${field === undefined ? '' : `its field "${field}" ${rule}; `}pass back the nextCursor value unchanged`);

export function encodeCursor(tool: string, state: Readonly<Record<string, string | number | null>>): string {
  return encodeBase64Url(JSON.stringify({ t: tool, ...state }));
}

/** The cursor's fields, if it was made by `encodeCursor(tool, …)`; otherwise an invalid_cursor Failure. */
export function decodeCursor(tool: string, cursor: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(decodeBase64Url(cursor));
  } catch {
    throw invalidCursor();
  }
  if (!isPlainObject(value) || value['t'] !== tool) throw invalidCursor();
  return value;
}

/** A field that must be a safe integer from `min` to `max`. */
export function cursorInt(v: Readonly<Record<string, unknown>>, key: string, max: number, min = 0): number {
  const x = v[key];
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max) return x;
  throw invalidCursor(key, `must be an integer from ${min} to ${max}`);
}
