// Admitted requests from queue to ending: an in-flight cap and a bounded queue with back-pressure (stdin
// pauses while the queue or the unwritten replies are too long), the deadline, and the abort signal the
// client's cancellation and shutdown use. The handler's result or exception becomes an Ending
// (outcome.ts); the loop (server.ts) replies, logs and writes the one audit record from it.
import { failure } from '../errors/failure.ts';
import type { Params, RequestId } from '../jsonrpc/message.ts';
import type { Host } from '../runtime/host.ts';
import type { MessageWriter } from '../transport/writer.ts';
import type { Era, EraRequestContext } from './era.ts';
import type { CallAudit, Handler, MethodTable, RequestScope } from './methods.ts';
import { endingOf, type Ending } from './outcome.ts';

/** A request the era admitted, waiting for a free slot. */
export type Pending = {
  readonly id: RequestId;
  readonly method: string;
  readonly params: Params | undefined;
  readonly received: number;
  readonly era: Era;
  readonly context: EraRequestContext;
  readonly respond: (message: unknown) => void;
  /** The length of the line it came in: its parsed params can take ~20 times that, held while it waits. */
  readonly bytes: number;
};

/** A running request: `cancelled` means the client asked, so no reply is sent at all. */
type Running = { readonly abort: AbortController; cancelled: boolean; readonly done: Promise<void> };

/** How a request ended, its audit fields and the files it touched; `cancelled`: no reply. */
export type Settled = {
  readonly ending: Ending; readonly audit: CallAudit; readonly files: readonly string[]; readonly cancelled: boolean;
};

const WRITER_BACKLOG_CHARS = 1024 * 1024;
const QUEUE_BYTES = 4 * 1024 * 1024; // stdin pauses while the queued requests' lines add up to more

export function createRequestQueue(
  host: Host, limits: { readonly inFlight: number; readonly deadlineMs: number }, methods: MethodTable,
  writer: MessageWriter, settle: (p: Pending, s: Settled) => void,
) {
  const queueMax = limits.inFlight * 16;
  const queue: Pending[] = [];
  const active = new Map<string, Running>();
  const keyOf = (id: RequestId) => `${typeof id}:${id}`;
  let paused = false;
  let closing = false;
  let queuedBytes = 0;

  function flow(): void {
    const writerBusy = writer.pending() > queueMax || writer.pendingChars() > WRITER_BACKLOG_CHARS;
    const busy = queue.length >= queueMax || queuedBytes > QUEUE_BYTES || writerBusy;
    if (busy && !paused) {
      paused = true;
      host.pauseStdin();
    } else if (!busy && paused && !closing && queue.length < queueMax / 2 && queuedBytes <= QUEUE_BYTES / 2) {
      paused = false; // a paused stdin with nothing pending would let the process exit
      host.resumeStdin();
    }
    if (writerBusy) void writer.flushed().then(pump);
  }

  function pump(): void {
    // Replies not yet written count against the work in flight: a slow reader must slow us down.
    const free = () => active.size < limits.inFlight && !closing && writer.pendingChars() <= WRITER_BACKLOG_CHARS;
    while (queue.length > 0 && free()) void run(queue.shift() as Pending);
    flow();
  }

  async function run(p: Pending): Promise<void> {
    queuedBytes -= p.bytes;
    let release: () => void = () => undefined;
    const done = new Promise<void>((r) => (release = r));
    const running: Running = { abort: new AbortController(), cancelled: false, done };
    active.set(keyOf(p.id), running);
    const { abort } = running;
    const ms = limits.deadlineMs;
    const late = failure('deadline', `Cannot finish: the call ran past the ${ms} ms deadline (limits.deadlineMs)`);
    const clearDeadline = host.setTimer(limits.deadlineMs, () => abort.abort(late));
    const deadlineAt = host.now() + limits.deadlineMs;
    const audit: CallAudit = {};
    const { method, params, context } = p;
    const scope: RequestScope = { method, params, signal: abort.signal, audit, touched: [], context };
    const aborted = new Promise<'aborted'>((r) => abort.signal.addEventListener('abort', () => r('aborted')));
    let ending: Ending;
    try {
      const handler = methods.get(p.method) as Handler; // both eras admit only the table's methods (hasMethod)
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
    active.delete(keyOf(p.id));
    settle(p, { ending, audit, files: scope.touched, cancelled: running.cancelled });
    release();
    pump();
  }

  const allDone = () => Promise.all([...active.values()].map((x) => x.done));
  return {
    push(p: Pending) {
      queuedBytes += queue.push(p) && p.bytes;
      pump();
    },
    busy: () => active.size + queue.length > 0,
    has: (id: RequestId) => active.has(keyOf(id)) || queue.some((q) => q.id === id),
    /** The client's notifications/cancelled: a running request is aborted, a queued one dropped and returned. */
    cancel(id: RequestId): Pending | undefined {
      const running = active.get(keyOf(id));
      if (running) {
        running.cancelled = true;
        running.abort.abort(failure('cancelled', 'Cancelled by the client'));
        return undefined;
      }
      const i = queue.findIndex((q) => q.id === id);
      if (i >= 0) queuedBytes -= (queue[i] as Pending).bytes;
      return i >= 0 ? queue.splice(i, 1)[0] : undefined;
    },
    flow,
    async drain() {
      // Requests held back by unwritten replies wait for the writer, not on an empty set of promises: that resolved
      // at once and looped forever, so no write, timer or signal got a turn (outside attack: 300 calls, then EOF).
      while (queue.length > 0 || active.size > 0) await (active.size > 0 ? allDone() : writer.flushed().then(pump));
    },
    /** Shutdown: hands each queued request to `drop`, aborts the running ones and gives them `graceMs` to end. */
    async abortAll(graceMs: number, drop: (p: Pending) => void) {
      closing = true;
      queue.splice(0).forEach(drop);
      for (const x of active.values()) x.abort.abort(failure('cancelled', 'Server is shutting down'));
      await Promise.race([allDone(), new Promise<void>((r) => host.setTimer(graceMs, r))]);
    },
  };
}
