// The message loop: the first message picks the era for the process (initialize: handshake; _meta:
// stateless 2026-07-28); requests run concurrently under an in-flight cap and a bounded queue (stdin
// pauses when it fills) with deadlines and cancellation; exactly one audit record per request.
import type { AuditLog } from '../audit/log.ts';
import type { Config } from '../config/load.ts';
import { Failure, failure } from '../errors/failure.ts';
import { RPC } from '../jsonrpc/codes.ts';
import { parseFrame, type Message, type RequestId } from '../jsonrpc/message.ts';
import { sniffId } from '../jsonrpc/sniff_id.ts';
import type { Host } from '../runtime/host.ts';
import type { Frame as LineFrame } from '../transport/line_reader.ts';
import type { MessageWriter } from '../transport/writer.ts';
import { quote } from '../validate/schema.ts';
import { dispatchBatch } from './batch.ts';
import { InputRequired, type Era, type EraRequestContext } from './era.ts';
import { startHandshake } from './handshake_era.ts';
import { carriesStatelessMeta } from './versions.ts';
import { createNotifier } from './notifier.ts';
import { RpcError } from './rpc_error.ts';
import { createServices, type Services } from './services.ts';
import { createMethodTable, type CallAudit, type RequestScope } from './methods.ts';
import { createStatelessEra } from './stateless_era.ts';

type Sink = (message: unknown) => void;
type Params = Readonly<Record<string, unknown>> | undefined;
type Pending = { readonly id: RequestId; readonly method: string; readonly params: Params; readonly sink: Sink; readonly received: number; readonly context: EraRequestContext };
type Active = { readonly abort: AbortController; cancelled: boolean; readonly done: Promise<void> };

export type Server = {
  readonly onFrame: (frame: LineFrame) => void;
  /** stdin closed: finish what was asked, then stop. */
  readonly drain: () => Promise<void>;
  /** SIGTERM or stdout gone: abort everything, record it, stop. */
  readonly abortAll: (why: string) => Promise<void>;
};

const SHUTDOWN_GRACE_MS = 500;
const WRITER_BACKLOG_CHARS = 1024 * 1024;

export function createServer(host: Host, config: Config, audit: AuditLog, writer: MessageWriter): Server {
  const send: Sink = (m) => writer.send(m);
  const notifier = createNotifier(send, config.logLevel, host.now);
  const services: Services = createServices(host, config, notifier, send, audit);
  const methods = createMethodTable(services, send);
  const queueMax = config.limits.inFlight * 16;
  const stateless = createStatelessEra(host, services, audit, send, (m) => methods.has(m));
  let era: Era | null = null; // decided by the first request that says which era it speaks
  let closing = false;
  let paused = false;
  const active = new Map<string, Active>();
  const queue: Pending[] = [];

  const keyOf = (id: RequestId) => `${typeof id}:${id}`, eraName = () => era?.version ?? 'none';

  // Back-pressure: stop reading stdin while the queue or the unwritten replies are too long; a drained
  // writer resumes both (a paused stdin with nothing pending would let the process exit).
  function flow(): void {
    const writerBusy = writer.pending() > queueMax || writer.pendingChars() > WRITER_BACKLOG_CHARS;
    const busy = queue.length >= queueMax || writerBusy;
    if (busy && !paused) {
      paused = true;
      host.pauseStdin();
    } else if (!busy && paused && !closing && queue.length < queueMax / 2) {
      paused = false;
      host.resumeStdin();
    }
    if (writerBusy) void writer.flushed().then(pump);
  }

  const reply = (sink: Sink, id: RequestId, result: unknown) => sink({ jsonrpc: '2.0', id, result });
  function replyError(sink: Sink, id: RequestId | undefined, code: number, message: string, data?: unknown): void {
    const error: Record<string, unknown> = { code, message };
    if (data !== undefined) error['data'] = data;
    // Never "id": null (docs/protocol.md, "JSON-RPC rules"): without a readable id the member is omitted.
    sink(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error });
  }

  function record(p: { id?: RequestId | undefined; method?: string | undefined; started: number; outcome: 'ok' | 'error' | 'denied' | 'refused' | 'cancelled'; code?: number | null; a?: CallAudit; files?: readonly string[]; bytes?: number; reason?: string }): void {
    audit.write({
      event: 'request', era: eraName(), id: p.id, method: p.method, tool: p.a?.tool, args: p.a?.args,
      files: p.files && p.files.length > 0 ? p.files : undefined, outcome: p.a?.outcome ?? p.outcome, code: p.code ?? null,
      reason: p.a?.reason ?? p.reason ?? null, ms: Math.round((host.now() - p.started) * 10) / 10, bytes: p.bytes,
      detail: p.a?.detail,
    });
  }

  async function run(p: Pending): Promise<void> {
    const abort = new AbortController();
    let release: () => void = () => undefined;
    const entry: Active = { abort, cancelled: false, done: new Promise<void>((r) => (release = r)) };
    active.set(keyOf(p.id), entry);
    const clearDeadline = host.setTimer(config.limits.deadlineMs, () =>
      abort.abort(failure('deadline', `Cannot finish: the call exceeded the ${config.limits.deadlineMs} ms deadline (limits.deadlineMs)`)));
    const a: CallAudit = {};
    const scope: RequestScope = { method: p.method, params: p.params, signal: abort.signal, audit: a, touched: [], context: p.context };
    const current = era as Era;
    // Replies wait until this request's log messages are out: the stateless era sends them only
    // before the response.
    let replyNow: () => void = () => undefined;
    const aborted = new Promise<'aborted'>((resolve) => abort.signal.addEventListener('abort', () => resolve('aborted')));
    let outcome: 'ok' | 'error' | 'denied' | 'refused' | 'cancelled' = 'ok';
    let code: number | null = null;
    let bytes: number | undefined;
    try {
      const handler = methods.get(p.method);
      if (!handler) throw new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${quote(p.method)}`, 'unknown_method');
      const result = await Promise.race([handler(scope), aborted]);
      if (result === 'aborted') throw abort.signal.reason;
      if (!entry.cancelled) {
        const shaped = current.finish(p.method, result);
        bytes = a.bytes;
        replyNow = () => reply(p.sink, p.id, shaped);
      }
    } catch (err) {
      if (entry.cancelled) {
        outcome = 'cancelled'; // cancelled requests get no response (docs/protocol.md, "JSON-RPC rules")
      } else if (err instanceof InputRequired) {
        a.reason = 'input_required';
        const shaped = current.finish(p.method, err.result);
        replyNow = () => reply(p.sink, p.id, shaped);
      } else if (err instanceof RpcError) {
        const e = current.translate(err);
        outcome = err.code === RPC.RESOURCE_NOT_FOUND ? 'denied' : 'refused';
        code = e.code;
        a.reason ??= e.reason;
        replyNow = () => replyError(p.sink, p.id, e.code, e.message, e.data);
      } else if (err instanceof Failure && (err.reason === 'deadline' || err.reason === 'cancelled')) {
        outcome = 'refused';
        a.reason = err.reason;
        if (p.method === 'tools/call') {
          const shaped = current.finish(p.method, { content: [{ type: 'text', text: err.publicMessage }], isError: true });
          replyNow = () => reply(p.sink, p.id, shaped);
        } else {
          code = RPC.INTERNAL_ERROR;
          replyNow = () => replyError(p.sink, p.id, RPC.INTERNAL_ERROR, err.publicMessage);
        }
      } else {
        outcome = 'error';
        code = RPC.INTERNAL_ERROR;
        a.reason = err instanceof Failure ? err.reason : 'internal';
        a.detail = err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown';
        replyNow = () => replyError(p.sink, p.id, RPC.INTERNAL_ERROR, err instanceof Failure ? err.publicMessage : 'Internal error');
      }
    } finally {
      clearDeadline();
      scope.progressDone?.();
      active.delete(keyOf(p.id));
      record({ id: p.id, method: p.method, started: p.received, outcome, code, a, files: scope.touched, ...(bytes === undefined ? {} : { bytes }) });
      // MCP log notifications carry no paths, arguments or reasons: those stay in the audit log.
      const finalOutcome = a.outcome ?? outcome;
      if (!entry.cancelled) {
        if (finalOutcome === 'denied') p.context.log('notice', 'policy', { message: 'A request was refused by the access policy (details in the audit log)', method: p.method, tool: a.tool ?? null });
        p.context.log('debug', 'requests', { method: p.method, tool: a.tool ?? null, outcome: finalOutcome, ms: Math.round(host.now() - p.received) });
      }
      replyNow();
      release();
      pump();
    }
  }

  function pump(): void {
    // Replies not yet written count against the work in flight: a slow reader must slow us down.
    const writerFree = () => writer.pendingChars() <= WRITER_BACKLOG_CHARS;
    while (queue.length > 0 && active.size < config.limits.inFlight && !closing && writerFree()) void run(queue.shift() as Pending);
    flow();
  }

  function onRequest(id: RequestId, method: string, params: Params, sink: Sink): void {
    const received = host.now();
    const refuse = (e: RpcError) => {
      const shaped = era ? era.translate(e) : e;
      replyError(sink, id, shaped.code, shaped.message, shaped.data);
      record({ id, method, started: received, outcome: 'refused', code: shaped.code, reason: shaped.reason });
    };
    if (closing) return refuse(new RpcError(RPC.INTERNAL_ERROR, 'Server is shutting down', 'shutdown'));
    if (era === null) {
      const modern = carriesStatelessMeta(params);
      if (method === 'initialize') {
        try {
          const started = startHandshake(params, services, notifier, (m) => methods.has(m));
          era = started.era;
          reply(sink, id, started.handshake.result);
          audit.write({ event: 'request', era: eraName(), id, method, outcome: 'ok', code: null, reason: null, ms: 0, detail: { client: started.handshake.clientInfo } });
        } catch (err) {
          if (err instanceof RpcError) return refuse(err);
          throw err;
        }
        return;
      }
      // server/discover is a probe: it is answered without committing the process to an era, so a
      // client that falls back to initialize on the same process still can.
      if (modern || method === 'server/discover') {
        if (method !== 'server/discover') era = stateless;
        return admit(stateless, id, method, params, sink, received);
      }
      if (method === 'ping') {
        reply(sink, id, {});
        return record({ id, method, started: received, outcome: 'ok' });
      }
      // Neither era yet: a handshake client must initialize; a 2026-07-28 request lacks its _meta.
      return refuse(new RpcError(RPC.INVALID_PARAMS, 'Invalid params: send initialize first, or carry the 2026-07-28 per-request params._meta', 'not_initialized'));
    }
    admit(era, id, method, params, sink, received);
  }

  function admit(e: Era, id: RequestId, method: string, params: Params, sink: Sink, received: number): void {
    const admission = e.admit(method, params);
    if (admission.kind === 'refuse') {
      const err = e.translate(admission.error);
      replyError(sink, id, err.code, err.message, err.data);
      return record({ id, method, started: received, outcome: 'refused', code: err.code, reason: err.reason });
    }
    if (admission.kind === 'answer') {
      reply(sink, id, e.finish(method, admission.result));
      return record({ id, method, started: received, outcome: 'ok' });
    }
    if (active.has(keyOf(id)) || queue.some((q) => q.id === id)) {
      replyError(sink, id, RPC.INVALID_REQUEST, 'Invalid request: this id is already in use by a request in flight');
      return record({ id, method, started: received, outcome: 'refused', code: RPC.INVALID_REQUEST, reason: 'duplicate_id' });
    }
    queue.push({ id, method, params, sink, received, context: admission.context });
    pump();
  }

  function onNotification(method: string, params: Params): void {
    audit.write({ event: 'notification', era: eraName(), method: method.slice(0, 128), outcome: 'info' });
    if (era === null) return; // ignored before the era is known (docs/protocol.md, "JSON-RPC rules")
    if (method === 'notifications/cancelled') {
      const target = params?.['requestId'];
      if (typeof target !== 'string' && typeof target !== 'number') return;
      const running = active.get(keyOf(target));
      if (running) {
        running.cancelled = true;
        running.abort.abort(failure('cancelled', 'Cancelled by the client'));
        return;
      }
      const i = queue.findIndex((q) => q.id === target);
      if (i >= 0) {
        const [q] = queue.splice(i, 1);
        if (q) record({ id: q.id, method: q.method, started: q.received, outcome: 'cancelled', reason: 'cancelled' });
      }
      return;
    }
    era.notification(method, params);
  }

  function onMessage(m: Message, sink: Sink): void {
    switch (m.kind) {
      case 'request': return onRequest(m.id, m.method, m.params, sink);
      case 'notification': return onNotification(m.method, m.params);
      case 'response': return services.onResponse(m.id, m.result, m.error);
      case 'invalid':
        audit.write({ event: 'invalid', era: eraName(), id: m.id, outcome: 'refused', code: RPC.INVALID_REQUEST, reason: m.reason });
        if (m.id !== undefined) replyError(sink, m.id, RPC.INVALID_REQUEST, `Invalid request: ${m.reason}`);
    }
  }

  function onLine(text: string): void {
    const frame = parseFrame(text);
    if (frame.kind === 'unparseable') {
      // No reply to junk (official SDKs do the same): answering can start an endless error loop.
      audit.write({ event: 'invalid', era: eraName(), outcome: 'refused', code: RPC.PARSE_ERROR, reason: frame.reason, bytes: text.length });
      return;
    }
    if (frame.kind === 'single') return onMessage(frame.message, send);
    dispatchBatch(frame.messages, era?.batches === true, eraName(), send, onMessage, (id, method, message) => {
      replyError(send, id, RPC.INVALID_REQUEST, message);
      record({ id, method, started: host.now(), outcome: 'refused', code: RPC.INVALID_REQUEST, reason: 'batch_not_allowed' });
    });
  }

  return {
    onFrame(frame) {
      if (frame.kind === 'line') return onLine(frame.text);
      if (frame.kind === 'bad_utf8') return audit.write({ event: 'invalid', era: eraName(), outcome: 'refused', code: RPC.PARSE_ERROR, reason: 'invalid UTF-8' });
      const id = sniffId(new TextDecoder().decode(frame.head));
      const message = `Request too large: ${frame.bytes} bytes, over the ${config.limits.lineBytes}-byte line limit (limits.lineBytes)`;
      audit.write({ event: 'request', era: eraName(), id, outcome: 'refused', code: RPC.INVALID_REQUEST, reason: 'line_too_large', bytes: frame.bytes });
      if (id !== undefined) replyError(send, id, RPC.INVALID_REQUEST, message);
    },
    async drain() {
      while (queue.length > 0 || active.size > 0) await Promise.all([...active.values()].map((x) => x.done));
    },
    async abortAll(why) {
      closing = true;
      for (const q of queue.splice(0)) {
        replyError(q.sink, q.id, RPC.INTERNAL_ERROR, 'Server is shutting down');
        record({ id: q.id, method: q.method, started: q.received, outcome: 'cancelled', reason: why });
      }
      for (const x of active.values()) x.abort.abort(failure('cancelled', 'Server is shutting down'));
      const grace = new Promise<void>((r) => host.setTimer(SHUTDOWN_GRACE_MS, r));
      await Promise.race([Promise.all([...active.values()].map((x) => x.done)), grace]);
    },
  };
}
