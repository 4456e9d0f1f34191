// The message loop: the first message picks the era for the process (initialize: handshake; _meta:
// stateless 2026-07-28); admitted requests go to the request queue (request_run.ts); every request ends
// in one reply shaped by its era and one audit record.
import type { AuditFields, AuditLog } from '../audit/log.ts';
import type { Config } from '../config/schema.ts';
import { RPC, RpcError } from '../jsonrpc/codes.ts';
import { parseFrame, type Message, type Params, type RequestId } from '../jsonrpc/message.ts';
import { sniffId } from '../jsonrpc/sniff_id.ts';
import type { Host } from '../runtime/host.ts';
import type { Frame as LineFrame } from '../transport/line_reader.ts';
import type { MessageWriter } from '../transport/writer.ts';
import type { Era } from './era.ts';
import { startHandshake } from './handshake_era.ts';
import { carriesStatelessMeta } from './versions.ts';
import { createNotifier } from './notifier.ts';
import { createServices } from './services.ts';
import { createMethodTable } from './methods.ts';
import { errorMessage, inEra, type Outcome, type Reply } from './outcome.ts';
import { createRequestQueue, type Pending, type Settled } from './request_run.ts';
import { createStatelessEra } from './stateless_era.ts';

type Sink = (message: unknown) => void;

export type Server = ReturnType<typeof createServer>;

const SHUTDOWN_GRACE_MS = 500;

/** The reply as the era shapes it (a result through `finish`, an error in its codes), with the code sent. */
function shape(e: Era | null, id: RequestId, method: string, reply: Reply): { message: unknown; code: number | null } {
  if ('result' in reply) {
    return { message: { jsonrpc: '2.0', id, result: e ? e.finish(method, reply.result) : reply.result }, code: null };
  }
  const error = inEra(reply.error, e?.name === 'stateless');
  return { message: errorMessage(id, error), code: error.code };
}

/** The one audit record of a request: `started` becomes its `ms`. */
type RecordFields = Omit<AuditFields, 'event' | 'era' | 'ms'> & { readonly started: number; readonly outcome: Outcome };

export function createServer(host: Host, config: Config, audit: AuditLog, writer: MessageWriter) {
  const send: Sink = (m) => writer.send(m);
  const notifier = createNotifier(send, config.logLevel, host.now);
  // The warm-up stands aside while any request runs or waits (requests is defined below, asked later).
  const services = createServices(host, config, notifier, send, audit, () => requests.busy());
  const methods = createMethodTable(services, send);
  const stateless = createStatelessEra(host, services, audit, send, (m) => methods.has(m));
  let era: Era | null = null; // decided by the first request that says which era it speaks
  let closing = false;
  let junkRun = 0; // lines in a row that are not JSON (which get a reply: docs/protocol.md, "Lines that are not JSON")
  let lineChars = 0; // the length of the line being handled
  const eraName = () => era?.version ?? 'none';
  function record(p: RecordFields): void {
    // Document access always has a record of its own; what a client may repeat at will can be coalesced.
    const reads = (p.tool !== undefined || p.method === 'resources/read') && p.reason !== 'rate_limited';
    (reads ? audit.write : audit.note)({
      event: 'request', era: eraName(), id: p.id, method: p.method, tool: p.tool, args: p.args,
      files: p.files && p.files.length > 0 ? p.files : undefined, outcome: p.outcome, code: p.code ?? null,
      reason: p.reason ?? null, ms: Math.round((host.now() - p.started) * 10) / 10, bytes: p.bytes, detail: p.detail,
      redacted: p.redacted, receipt: p.receipt,
    });
  }
  /** A frame or message refused before it became a request of an era. */
  const refused = (r: { event: string; id?: RequestId | undefined; code: number; reason: string; bytes?: number }) =>
    audit.note({ era: eraName(), outcome: 'refused', ...r });

  /** Answers a request without running it (refused, or answered by the era): one reply, one record. */
  function settleNow(e: Era | null, respond: Sink, id: RequestId, method: string, at: number, reply: Reply): void {
    const { message, code } = shape(e, id, method, reply);
    respond(message);
    const reason = 'error' in reply ? reply.error.reason : undefined;
    record({ id, method, started: at, outcome: code === null ? 'ok' : 'refused', code, reason });
  }

  /** A request that ran: its record, its log messages, then its reply (none when the client cancelled it). */
  function settled(p: Pending, { ending, audit: a, files, cancelled }: Settled): void {
    const shaped = ending.reply === null || cancelled ? null : shape(p.era, p.id, p.method, ending.reply);
    const outcome = a.outcome ?? ending.outcome;
    record({
      id: p.id, method: p.method, started: p.received, outcome, code: shaped?.code ?? null, tool: a.tool, args: a.args,
      files, reason: ending.reason ?? a.reason, detail: ending.detail ?? a.detail,
      bytes: ending.outcome === 'ok' ? a.bytes : undefined, redacted: a.redacted,
      receipt: ending.outcome === 'ok' ? a.receipt : undefined, // a reply that never went out has none
    });
    // Log messages carry no paths, arguments or reasons (those stay in the audit log), and go out before
    // the reply: the stateless era sends them only then.
    if (!cancelled) {
      const what = { method: p.method, tool: a.tool ?? null };
      const message = 'A request was refused by the access policy (details in the audit log)';
      if (outcome === 'denied') p.context.log('notice', 'policy', { message, ...what });
      p.context.log('debug', 'requests', { ...what, outcome, ms: Math.round(host.now() - p.received) });
    }
    if (shaped) p.respond(shaped.message);
  }
  const requests = createRequestQueue(host, config.limits, methods, writer, settled);

  function onRequest(id: RequestId, method: string, params: Params | undefined, respond: Sink): void {
    const received = host.now();
    const refuse = (error: RpcError) => settleNow(era, respond, id, method, received, { error });
    if (closing) return refuse(new RpcError(RPC.INTERNAL_ERROR, 'Server is shutting down', 'shutdown'));
    if (era !== null) return admit(era, id, method, params, respond, received);
    if (method === 'initialize') {
      try {
        const started = startHandshake(params, services, notifier, (m) => methods.has(m));
        era = started.era;
        respond({ jsonrpc: '2.0', id, result: started.handshake.result });
        audit.write({ event: 'request', era: eraName(), id, method, outcome: 'ok', code: null, reason: null, ms: 0,
          detail: { client: started.handshake.clientInfo } });
      } catch (err) {
        if (err instanceof RpcError) return refuse(err);
        throw err;
      }
      return;
    }
    // server/discover is a probe: it is answered without committing the process to an era, so a
    // client that falls back to initialize on the same process still can.
    if (carriesStatelessMeta(params) || method === 'server/discover') {
      if (method !== 'server/discover') era = stateless;
      return admit(stateless, id, method, params, respond, received);
    }
    if (method === 'ping') return settleNow(null, respond, id, method, received, { result: {} });
    // Neither era yet: a handshake client must initialize; a 2026-07-28 request lacks its _meta.
    const message = 'Invalid params: send initialize first, or carry the 2026-07-28 per-request params._meta';
    return refuse(new RpcError(RPC.INVALID_PARAMS, message, 'not_initialized'));
  }

  function admit(e: Era, id: RequestId, method: string, params: Params | undefined, respond: Sink, at: number): void {
    const admission = e.admit(method, params);
    if (admission.kind === 'refuse') return settleNow(e, respond, id, method, at, { error: admission.error });
    if (admission.kind === 'answer') return settleNow(e, respond, id, method, at, { result: admission.result });
    if (requests.has(id)) {
      const message = 'Invalid request: this id is already in use by a request in flight';
      const duplicate = new RpcError(RPC.INVALID_REQUEST, message, 'duplicate_id');
      return settleNow(null, respond, id, method, at, { error: duplicate });
    }
    requests.push({ id, method, params, respond, received: at, era: e, context: admission.context, bytes: lineChars });
  }

  function onNotification(method: string, params: Params | undefined): void {
    audit.note({ event: 'notification', era: eraName(), method: method.slice(0, 128), outcome: 'info' });
    if (era === null) return; // ignored before the era is known (docs/protocol.md, "JSON-RPC rules")
    if (method !== 'notifications/cancelled') return era.notification(method, params);
    const target = params?.['requestId'];
    if (typeof target !== 'string' && typeof target !== 'number') return;
    const q = requests.cancel(target);
    if (q) record({ id: q.id, method: q.method, started: q.received, outcome: 'cancelled', reason: 'cancelled' });
  }

  function onMessage(m: Message, sink: Sink): void {
    switch (m.kind) {
      case 'request': return onRequest(m.id, m.method, m.params, sink);
      case 'notification': return onNotification(m.method, m.params);
      case 'response': return services.onResponse(m.id, m.result, m.error);
      case 'invalid':
        refused({ event: 'invalid', id: m.id, code: RPC.INVALID_REQUEST, reason: m.reason });
        if (m.id === undefined) return;
        sink(errorMessage(m.id, { code: RPC.INVALID_REQUEST, message: `Invalid request: ${m.reason}` }));
    }
  }

  function parseError(r: { reason: string; bytes?: number }): void {
    refused({ event: 'invalid', code: RPC.PARSE_ERROR, ...r });
    const answered = (era === null || era.version >= '2025-11-25') && ++junkRun <= 8;
    if (answered) send(errorMessage(undefined, { code: RPC.PARSE_ERROR, message: `Parse error: ${r.reason}` }));
  }

  /**
   * JSON-RPC batches: accepted only under protocol 2025-03-26 (docs/protocol.md, "Handshake era"), answered
   * with one array holding every response once the last is ready; elsewhere each request in it is refused.
   */
  function onBatch(messages: readonly Message[]): void {
    const refuse = (sink: Sink, id: RequestId, method: string, message: string) => settleNow(
      null, sink, id, method, host.now(), { error: new RpcError(RPC.INVALID_REQUEST, message, 'batch_not_allowed') },
    );
    if (era?.batches !== true) {
      // Each request is refused with its own reply and record; an invalid member is answered (and
      // recorded) as if it came alone.
      for (const m of messages) {
        const why = `JSON-RPC batches are accepted only under protocol version 2025-03-26 (negotiated: ${eraName()})`;
        if (m.kind === 'request') refuse(send, m.id, m.method, `Invalid request: ${why}`);
        else if (m.kind === 'invalid') onMessage(m, send);
      }
      return;
    }
    const replies: unknown[] = [];
    let waiting = messages.filter((m) => m.kind === 'request' || (m.kind === 'invalid' && m.id !== undefined)).length;
    const collect: Sink = (r) => {
      replies.push(r);
      if (--waiting === 0) send(replies);
    };
    for (const m of messages) {
      if (m.kind !== 'request' || m.method !== 'initialize') onMessage(m, collect);
      else refuse(collect, m.id, m.method, 'Invalid request: initialize must not be part of a batch');
    }
  }

  function onLine(text: string): void {
    lineChars = text.length; // charged to each request the line holds while it waits (request_run.ts)
    const frame = parseFrame(text);
    if (frame.kind === 'unparseable') return parseError({ reason: frame.reason, bytes: text.length });
    junkRun = 0;
    if (frame.kind === 'single') return onMessage(frame.message, send);
    onBatch(frame.messages);
  }

  return {
    onFrame(frame: LineFrame) {
      if (frame.kind === 'line') return onLine(frame.text);
      if (frame.kind === 'bad_utf8') return parseError({ reason: 'invalid UTF-8' });
      const id = sniffId(new TextDecoder().decode(frame.head));
      const limit = config.limits.lineBytes;
      const message = `Request too large: ${frame.bytes} bytes, over the ${limit}-byte line limit (limits.lineBytes)`;
      refused({ event: 'request', id, code: RPC.INVALID_REQUEST, reason: 'line_too_large', bytes: frame.bytes });
      if (id !== undefined) send(errorMessage(id, { code: RPC.INVALID_REQUEST, message }));
    },
    flow: requests.flow, // after each stdin chunk: every message kind counts toward back-pressure
    /** stdin closed: finish what was asked, then stop. */
    drain: requests.drain,
    /** Settles once the warm-up the client's readiness started has finished (at once when none has started). */
    warmedUp: services.warmedUp,
    /** Whether a request runs or waits: background work stands aside meanwhile. */
    busy: () => requests.busy(),
    /** SIGTERM or stdout gone: abort everything, record it, stop. */
    async abortAll(why: string): Promise<void> {
      closing = true;
      services.stopWarmUp();
      await requests.abortAll(SHUTDOWN_GRACE_MS, (q) => {
        q.respond(errorMessage(q.id, { code: RPC.INTERNAL_ERROR, message: 'Server is shutting down' }));
        record({ id: q.id, method: q.method, started: q.received, outcome: 'cancelled', reason: why });
      });
    },
  };
}
