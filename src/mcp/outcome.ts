// How a request ended, mapped once (docs/style.md, "Errors: one table, one mapping"): to the reply the
// client gets in its era and to the outcome and reason its audit record keeps. Which rule refused and an
// exception's own text reach the audit log only.
import { Failure, isHiddenReason, NOT_FOUND_MESSAGE } from '../errors/failure.ts';
import { RPC, RpcError } from '../jsonrpc/codes.ts';
import type { RequestId } from '../jsonrpc/message.ts';
import { InputRequired } from './era.ts';

export type Outcome = 'ok' | 'error' | 'denied' | 'refused' | 'cancelled';

/** A result (shaped by the era) or a JSON-RPC error (in the era's codes). */
export type Reply = { readonly result: unknown } | { readonly error: RpcError };

/** `reply` is null for a cancelled request, which is never answered (docs/protocol.md, "JSON-RPC rules"). */
export type Ending = {
  readonly reply: Reply | null;
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly detail?: string;
};

export function errorResult(message: string): Record<string, unknown> {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The one sentence for a rate limit, tool or not (docs/protocol.md, "Limits on other methods"). */
export function rateLimitText(what: string, l: { callsPerMinute: number; burst: number }, retryMs: number): string {
  const rate = `${l.callsPerMinute} calls per minute, burst ${l.burst} (limits.callsPerMinute)`;
  return `Rate limit reached for ${what}: ${rate}; retry in ${Math.ceil(retryMs / 1000)} s`;
}

/** What the client sees for an exception a handler threw (or the abort reason that stopped it). */
export function endingOf(err: unknown, method: string): Ending {
  if (err instanceof InputRequired) return { reply: { result: err.result }, outcome: 'ok', reason: 'input_required' };
  if (err instanceof RpcError) {
    const outcome = err.code === RPC.RESOURCE_NOT_FOUND ? 'denied' : 'refused';
    return { reply: { error: err }, outcome, reason: err.reason };
  }
  if (err instanceof Failure && (err.reason === 'deadline' || err.reason === 'cancelled')) {
    // A tool that ran out of time failed as a tool (an isError result); any other method answers an error.
    const reply = method === 'tools/call'
      ? { result: errorResult(err.publicMessage) }
      : { error: err.reason === 'deadline'
        ? new RpcError(RPC.LIMIT_REACHED, err.publicMessage, err.reason, { limit: 'limits.deadlineMs' })
        : new RpcError(RPC.INTERNAL_ERROR, err.publicMessage, err.reason) };
    return { reply, outcome: 'refused', reason: err.reason };
  }
  const reason = err instanceof Failure ? err.reason : 'internal';
  const message = err instanceof Failure ? err.publicMessage : 'Internal error';
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown';
  return { reply: { error: new RpcError(RPC.INTERNAL_ERROR, message, reason) }, outcome: 'error', reason, detail };
}

const VERBS: Readonly<Record<string, string>> = {
  list_docs: 'list', search_docs: 'search', find_docs: 'find', outline_doc: 'outline', doc_info: 'describe',
};

/** A tool's refusal as its isError text: a policy denial says "not found or not allowed" and nothing more. */
export function toolFailureText(tool: string, err: Failure): string {
  return isHiddenReason(err.reason) ? `Cannot ${VERBS[tool] ?? 'read'}: ${NOT_FOUND_MESSAGE}` : err.publicMessage;
}

/** A refusal while reading a resource: a denied or invalid path is answered exactly like a missing one. */
export function resourceError(err: Failure, notFound: (reason: string) => RpcError): RpcError {
  if (isHiddenReason(err.reason) || err.reason === 'invalid_path') return notFound(err.reason);
  return new RpcError(RPC.INVALID_PARAMS, err.publicMessage, err.reason);
}

/** The error in the era's codes: 2026-07-28 retired -32002, so a missing resource is invalid params there. */
export function inEra(error: RpcError, stateless: boolean): RpcError {
  if (!stateless || error.code !== RPC.RESOURCE_NOT_FOUND) return error;
  return new RpcError(RPC.INVALID_PARAMS, error.message, error.reason, error.data);
}

/** The JSON-RPC error message; without a readable id the member is omitted, never `"id": null`. */
export function errorMessage(id: RequestId | undefined, e: { code: number; message: string; data?: unknown }): unknown {
  const error = { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) };
  return id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error };
}
