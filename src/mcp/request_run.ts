// One admitted request from its start to its ending: the deadline, the abort signal the client's
// cancellation and shutdown use, and the handler's result or exception turned into an Ending
// (outcome.ts). The loop (server.ts) replies, logs and writes the one audit record from it.
import { failure } from '../errors/failure.ts';
import { RPC } from '../jsonrpc/codes.ts';
import type { RequestId } from '../jsonrpc/message.ts';
import type { Host } from '../runtime/host.ts';
import { quote } from '../validate/schema.ts';
import type { EraRequestContext } from './era.ts';
import type { CallAudit, MethodTable, RequestScope } from './methods.ts';
import { endingOf, type Ending } from './outcome.ts';
import { RpcError } from './rpc_error.ts';

export type Params = Readonly<Record<string, unknown>> | undefined;

/** A request the era admitted, waiting for a free slot. */
export type Pending = {
  readonly id: RequestId;
  readonly method: string;
  readonly params: Params;
  readonly received: number;
  readonly context: EraRequestContext;
  readonly respond: (message: unknown) => void;
};

/** A running request: `cancelled` means the client asked, so no reply is sent at all. */
export type Running = { readonly abort: AbortController; cancelled: boolean };

/** What the loop needs to settle a request: how it ended, its audit fields and the files it touched. */
export type Settled = { readonly ending: Ending; readonly audit: CallAudit; readonly files: readonly string[] };

export async function runRequest(
  host: Host, deadlineMs: number, methods: MethodTable, p: Pending, running: Running,
): Promise<Settled> {
  const { abort } = running;
  const late = failure('deadline', `Cannot finish: the call ran past the ${deadlineMs} ms deadline (limits.deadlineMs)`);
  const clearDeadline = host.setTimer(deadlineMs, () => abort.abort(late));
  const deadlineAt = host.now() + deadlineMs;
  const audit: CallAudit = {};
  const { method, params, context } = p;
  const scope: RequestScope = { method, params, signal: abort.signal, audit, touched: [], context };
  const aborted = new Promise<'aborted'>((resolve) => abort.signal.addEventListener('abort', () => resolve('aborted')));
  let ending: Ending;
  try {
    const handler = methods.get(p.method);
    if (!handler) throw new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${quote(p.method)}`, 'unknown_method');
    const result = await Promise.race([handler(scope), aborted]);
    // Work that ran past its deadline without yielding is late too: never a silent success.
    if (result === 'aborted' || host.now() >= deadlineAt) throw abort.signal.aborted ? abort.signal.reason : late;
    ending = { reply: { result }, outcome: 'ok' };
  } catch (err) {
    ending = running.cancelled ? { reply: null, outcome: 'cancelled' } : endingOf(err, p.method);
  } finally {
    clearDeadline();
    scope.progressDone?.();
  }
  return { ending, audit, files: scope.touched };
}
