// Serialises outgoing messages, one per line, in order, honouring stdout back-pressure.
// Only this module writes to stdout: nothing but protocol lines ever reaches it.
import type { Host } from '../runtime/host.ts';

export type MessageWriter = {
  readonly send: (message: unknown) => void;
  /** Resolves when every queued line has been handed to the runtime. */
  readonly flushed: () => Promise<void>;
  /** Lines queued and not yet accepted by the runtime. */
  readonly pending: () => number;
  /** UTF-16 units of those lines: replies can be 100 KB each, so the count alone is not a bound. */
  readonly pendingChars: () => number;
};

export function serializeLine(message: unknown): string {
  // U+2028/U+2029 are valid inside JSON strings but break some line splitters (docs/security.md, "What the
  // runtimes do not protect").
  return JSON.stringify(message).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') + '\n';
}

export function createMessageWriter(host: Host): MessageWriter {
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  let chars = 0;
  return {
    send(message) {
      const line = serializeLine(message);
      queued++;
      chars += line.length;
      chain = chain.then(() => host.writeStdout(line)).then(() => {
        queued--;
        chars -= line.length;
      });
    },
    flushed: () => chain, pending: () => queued, pendingChars: () => chars,
  };
}
