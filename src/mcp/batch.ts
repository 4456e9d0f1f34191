// JSON-RPC batches: accepted only under protocol 2025-03-26 (docs/protocol.md, "Handshake era"), answered with one
// array holding every response once the last is ready; elsewhere each request in it is refused.
import type { Message, RequestId } from '../jsonrpc/message.ts';

type Sink = (message: unknown) => void;

export function dispatchBatch(
  messages: readonly Message[],
  allowed: boolean,
  eraName: string,
  send: Sink,
  onMessage: (m: Message, sink: Sink) => void,
  refuse: (sink: Sink, id: RequestId, method: string, message: string) => void,
): void {
  if (!allowed) {
    // Each request is refused with its own reply and record; an invalid member is answered (and
    // recorded) as if it came alone.
    for (const m of messages) {
      if (m.kind === 'request') refuse(send, m.id, m.method, `Invalid request: JSON-RPC batches are accepted only under protocol version 2025-03-26 (negotiated: ${eraName})`);
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
    if (m.kind === 'request' && m.method === 'initialize') refuse(collect, m.id, m.method, 'Invalid request: initialize must not be part of a batch');
    else onMessage(m, collect);
  }
}
