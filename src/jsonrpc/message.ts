// Parses one frame and classifies it as a tagged union (request, notification, response, batch,
// invalid). Rejects deep nesting before JSON.parse and never produces an `id` of null.

export type RequestId = string | number;
export type Params = Readonly<Record<string, unknown>>;

export type Message =
  | { readonly kind: 'request'; readonly id: RequestId; readonly method: string; readonly params: Params | undefined }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Params | undefined }
  | { readonly kind: 'response'; readonly id: RequestId; readonly result: unknown; readonly error: unknown }
  | { readonly kind: 'invalid'; readonly id: RequestId | undefined; readonly reason: string };

export type Frame =
  | { readonly kind: 'single'; readonly message: Message }
  | { readonly kind: 'batch'; readonly messages: readonly Message[] }
  | { readonly kind: 'unparseable'; readonly reason: string };

const MAX_NESTING = 64;
const MAX_BATCH = 64;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRequestId(v: unknown): v is RequestId {
  return (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** Maximum bracket nesting outside strings, stopping early past the limit. */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function classify(value: unknown): Message {
  if (!isPlainObject(value)) return { kind: 'invalid', id: undefined, reason: 'message is not an object' };
  const id = value['id'];
  const hasId = Object.hasOwn(value, 'id');
  const readableId = isRequestId(id) ? id : undefined;
  const invalid = (reason: string): Message => ({ kind: 'invalid', id: readableId, reason });
  if (value['jsonrpc'] !== '2.0') return invalid('jsonrpc must be "2.0"');
  const method = value['method'];
  if (method === undefined) {
    if (hasId && readableId !== undefined && (Object.hasOwn(value, 'result') || Object.hasOwn(value, 'error'))) {
      return { kind: 'response', id: readableId, result: value['result'], error: value['error'] };
    }
    return invalid('method is missing');
  }
  const badMethod = typeof method !== 'string' || method.length === 0 || method.length > 128;
  if (badMethod) return invalid('method must be a non-empty string');
  const params = value['params'];
  if (params !== undefined && !isPlainObject(params)) return invalid('params must be an object');
  if (!hasId) return { kind: 'notification', method, params };
  if (readableId === undefined) return { kind: 'invalid', id: undefined, reason: 'id must be a string or an integer' };
  return { kind: 'request', id: readableId, method, params };
}

const batchError = (reason: string): Frame => ({ kind: 'single', message: { kind: 'invalid', id: undefined, reason } });
export function parseFrame(text: string): Frame {
  if (nestingDepth(text, MAX_NESTING) > MAX_NESTING) {
    return { kind: 'unparseable', reason: `nesting deeper than ${MAX_NESTING} levels` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'unparseable', reason: 'not valid JSON' };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return batchError('empty batch');
    if (value.length > MAX_BATCH) return batchError(`batch larger than ${MAX_BATCH}`);
    return { kind: 'batch', messages: value.map(classify) };
  }
  return { kind: 'single', message: classify(value) };
}
