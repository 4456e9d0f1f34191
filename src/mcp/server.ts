// The message loop of the handshake era: lifecycle rules, the method table, concurrent requests with an
// in-flight cap and a bounded queue (stdin pauses when it fills), per-call deadlines, cancellation,
// server-to-client requests in their own id space, and exactly one audit record per request.
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
import { handleInitialize } from './lifecycle.ts';
import { createNotifier, isLogLevel, type LogLevel } from './notifier.ts';
import { RpcError } from './rpc_error.ts';
import { createServices, type Services } from './services.ts';
import { createMethodTable, type CallAudit, type RequestScope } from './methods.ts';
import type { Features } from './versions.ts';

type Sink = (message: unknown) => void;
type Pending = { readonly id: RequestId; readonly method: string; readonly params: Readonly<Record<string, unknown>> | undefined; readonly sink: Sink; readonly received: number };
type Active = { readonly abort: AbortController; cancelled: boolean; readonly done: Promise<void> };

export type Server = {
  readonly onFrame: (frame: LineFrame) => void;
  /** stdin closed: finish what was asked, then stop. */
  readonly drain: () => Promise<void>;
  /** SIGTERM or stdout gone: abort everything, record it, stop. */
  readonly abortAll: (why: string) => Promise<void>;
};

const SHUTDOWN_GRACE_MS = 500;

export function createServer(host: Host, config: Config, audit: AuditLog, writer: MessageWriter): Server {
  const send: Sink = (m) => writer.send(m);
  const notifier = createNotifier(send, (isLogLevel(config.logLevel) ? config.logLevel : 'warning') as LogLevel, host.now);
  const services: Services = createServices(host, config, notifier, send, audit);
  const methods = createMethodTable(services, send);
  const queueMax = config.limits.inFlight * 16;
  let features: Features | null = null;
  let phase: 'new' | 'initialized' | 'ready' = 'new';
  let closing = false;
  let paused = false;
  const active = new Map<string, Active>();
  const queue: Pending[] = [];

  const keyOf = (id: RequestId) => `${typeof id}:${id}`;
  const era = () => features?.version ?? 'none';

  function flow(): void {
    const busy = queue.length >= queueMax || writer.pending() > queueMax;
    if (busy && !paused) {
      paused = true;
      host.pauseStdin();
    } else if (!busy && paused && !closing && queue.length < queueMax / 2) {
      paused = false;
      host.resumeStdin();
    }
  }

  function reply(sink: Sink, id: RequestId, result: unknown): void {
    sink({ jsonrpc: '2.0', id, result });
  }
  function replyError(sink: Sink, id: RequestId | undefined, code: number, message: string, data?: unknown): void {
    const error: Record<string, unknown> = { code, message };
    if (data !== undefined) error['data'] = data;
    // Never "id": null (PROTOCOL.md section 4): without a readable id the member is omitted.
    sink(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error });
  }

  function record(p: { id?: RequestId | undefined; method?: string | undefined; started: number; outcome: 'ok' | 'error' | 'denied' | 'refused' | 'cancelled'; code?: number | null; a?: CallAudit; files?: readonly string[]; bytes?: number; reason?: string }): void {
    audit.write({
      event: 'request', era: era(), id: p.id, method: p.method, tool: p.a?.tool, args: p.a?.args,
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
    const scope: RequestScope = { method: p.method, params: p.params, signal: abort.signal, audit: a, touched: [], features: features as Features };
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
        bytes = JSON.stringify(result).length;
        reply(p.sink, p.id, result);
      }
    } catch (err) {
      if (entry.cancelled) {
        outcome = 'cancelled'; // cancelled requests get no response (PROTOCOL.md section 4)
      } else if (err instanceof RpcError) {
        outcome = err.code === RPC.RESOURCE_NOT_FOUND ? 'denied' : 'refused';
        code = err.code;
        a.reason ??= err.reason;
        replyError(p.sink, p.id, err.code, err.message, err.data);
      } else if (err instanceof Failure && (err.reason === 'deadline' || err.reason === 'cancelled')) {
        outcome = 'refused';
        a.reason = err.reason;
        if (p.method === 'tools/call') reply(p.sink, p.id, { content: [{ type: 'text', text: err.publicMessage }], isError: true });
        else {
          code = RPC.INTERNAL_ERROR;
          replyError(p.sink, p.id, RPC.INTERNAL_ERROR, err.publicMessage);
        }
      } else {
        outcome = 'error';
        code = RPC.INTERNAL_ERROR;
        a.reason = err instanceof Failure ? err.reason : 'internal';
        a.detail = err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown';
        replyError(p.sink, p.id, RPC.INTERNAL_ERROR, err instanceof Failure ? err.publicMessage : 'Internal error');
      }
    } finally {
      clearDeadline();
      scope.progressDone?.();
      active.delete(keyOf(p.id));
      record({ id: p.id, method: p.method, started: p.received, outcome, code, a, files: scope.touched, ...(bytes === undefined ? {} : { bytes }) });
      // MCP log notifications carry no paths, arguments or reasons: those stay in the audit log.
      const finalOutcome = a.outcome ?? outcome;
      if (finalOutcome === 'denied') notifier.log('notice', 'policy', { message: 'A request was refused by the access policy (details in the audit log)', method: p.method, tool: a.tool ?? null });
      notifier.log('debug', 'requests', { method: p.method, tool: a.tool ?? null, outcome: finalOutcome, ms: Math.round(host.now() - p.received) });
      release();
      pump();
    }
  }

  function pump(): void {
    while (queue.length > 0 && active.size < config.limits.inFlight && !closing) void run(queue.shift() as Pending);
    flow();
  }

  function onRequest(id: RequestId, method: string, params: Pending['params'], sink: Sink): void {
    const received = host.now();
    const refuse = (code: number, message: string, reason: string) => {
      replyError(sink, id, code, message);
      record({ id, method, started: received, outcome: 'refused', code, reason });
    };
    if (closing) return refuse(RPC.INTERNAL_ERROR, 'Server is shutting down', 'shutdown');
    if (method === 'ping') {
      reply(sink, id, {});
      return record({ id, method, started: received, outcome: 'ok' });
    }
    if (method === 'server/discover') {
      // Handshake era only, until a stateless era exists: a prompt -32601 lets dual-era clients fall back.
      return refuse(RPC.METHOD_NOT_FOUND, 'Method not found: server/discover (this server speaks the initialize handshake)', 'unknown_method');
    }
    if (method === 'initialize') {
      if (phase !== 'new') return refuse(RPC.INVALID_REQUEST, 'Invalid request: already initialized', 'second_initialize');
      try {
        const h = handleInitialize(params, config.roots);
        features = h.features;
        phase = 'initialized';
        services.setClient(h.clientCapabilities);
        reply(sink, id, h.result);
        audit.write({ event: 'request', era: era(), id, method, outcome: 'ok', code: null, reason: null, ms: 0, detail: { client: h.clientInfo } });
      } catch (err) {
        if (err instanceof RpcError) return refuse(err.code, err.message, err.reason);
        throw err;
      }
      return;
    }
    if (phase === 'new') return refuse(RPC.INVALID_REQUEST, 'Invalid request: send initialize first', 'not_initialized');
    if (!methods.has(method)) return refuse(RPC.METHOD_NOT_FOUND, `Method not found: ${quote(method)}`, 'unknown_method');
    if (active.has(keyOf(id)) || queue.some((q) => q.id === id)) {
      return refuse(RPC.INVALID_REQUEST, 'Invalid request: this id is already in use by a request in flight', 'duplicate_id');
    }
    queue.push({ id, method, params, sink, received });
    pump();
  }

  function onNotification(method: string, params: Pending['params']): void {
    audit.write({ event: 'notification', era: era(), method: method.slice(0, 128), outcome: 'info' });
    if (phase === 'new') return; // ignored before initialize (PROTOCOL.md section 3)
    if (method === 'notifications/initialized') {
      if (phase === 'initialized') {
        phase = 'ready';
        notifier.enable();
        services.clientReady();
      }
    } else if (method === 'notifications/cancelled') {
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
    } else if (method === 'notifications/roots/list_changed') {
      services.rootsChanged();
    }
  }

  function onMessage(m: Message, sink: Sink): void {
    switch (m.kind) {
      case 'request': return onRequest(m.id, m.method, m.params, sink);
      case 'notification': return onNotification(m.method, m.params);
      case 'response': return services.onResponse(m.id, m.result, m.error);
      case 'invalid':
        audit.write({ event: 'invalid', era: era(), id: m.id, outcome: 'refused', code: RPC.INVALID_REQUEST, reason: m.reason });
        if (m.id !== undefined) replyError(sink, m.id, RPC.INVALID_REQUEST, `Invalid request: ${m.reason}`);
    }
  }

  function onLine(text: string): void {
    const frame = parseFrame(text);
    if (frame.kind === 'unparseable') {
      // No reply to junk (official SDKs do the same): answering can start an endless error loop.
      audit.write({ event: 'invalid', era: era(), outcome: 'refused', code: RPC.PARSE_ERROR, reason: frame.reason, bytes: text.length });
      return;
    }
    if (frame.kind === 'single') return onMessage(frame.message, send);
    if (!features?.batches) {
      for (const m of frame.messages) {
        if (m.kind === 'request') {
          replyError(send, m.id, RPC.INVALID_REQUEST, `Invalid request: JSON-RPC batches are accepted only under protocol version 2025-03-26 (negotiated: ${era()})`);
          record({ id: m.id, method: m.method, started: host.now(), outcome: 'refused', code: RPC.INVALID_REQUEST, reason: 'batch_not_allowed' });
        }
      }
      return;
    }
    // 2025-03-26 batches: one array reply holding every response, sent when the last one is ready.
    const replies: unknown[] = [];
    let waiting = frame.messages.filter((m) => m.kind === 'request' || (m.kind === 'invalid' && m.id !== undefined)).length;
    const collect: Sink = (r) => {
      replies.push(r);
      if (--waiting === 0) send(replies);
    };
    for (const m of frame.messages) {
      if (m.kind === 'request' && m.method === 'initialize') {
        collect({ jsonrpc: '2.0', id: m.id, error: { code: RPC.INVALID_REQUEST, message: 'Invalid request: initialize must not be part of a batch' } });
      } else onMessage(m, collect);
    }
  }

  return {
    onFrame(frame) {
      if (frame.kind === 'line') return onLine(frame.text);
      if (frame.kind === 'bad_utf8') {
        audit.write({ event: 'invalid', era: era(), outcome: 'refused', code: RPC.PARSE_ERROR, reason: 'invalid UTF-8' });
        return;
      }
      const id = sniffId(new TextDecoder().decode(frame.head));
      const message = `Request too large: ${frame.bytes} bytes, over the ${config.limits.lineBytes}-byte line limit (limits.lineBytes)`;
      audit.write({ event: 'request', era: era(), id, outcome: 'refused', code: RPC.INVALID_REQUEST, reason: 'line_too_large', bytes: frame.bytes });
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
      await Promise.race([
        Promise.all([...active.values()].map((x) => x.done)),
        new Promise<void>((r) => host.setTimer(SHUTDOWN_GRACE_MS, r)),
      ]);
    },
  };
}
