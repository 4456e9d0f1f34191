// Newline-delimited framing for stdio (docs/protocol.md, "Framing on stdio"): splits raw bytes on 0x0A before decoding,
// caps the bytes held for one line, and drops an oversize line without ever buffering it whole.

export type Frame =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'oversize'; readonly bytes: number; readonly head: Uint8Array }
  | { readonly kind: 'bad_utf8' };

const NEWLINE = 0x0a;
const CR = 0x0d;
const HEAD_BYTES = 512;

export type LineReader = {
  /** Feeds bytes; calls `emit` once per complete frame, in order. */
  readonly push: (chunk: Uint8Array) => void;
  /** End of input: a final unterminated line is still delivered. */
  readonly end: () => void;
};

export function createLineReader(maxLineBytes: number, emit: (frame: Frame) => void): LineReader {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Uint8Array[] = [];
  let held = 0;
  let discarded = 0; // bytes of the oversize line being dropped (0: not inside one): counted, none kept
  let head: Uint8Array = new Uint8Array(0); // first bytes of an oversize line, to find its id

  function finishLine(): void {
    if (discarded > 0) {
      emit({ kind: 'oversize', bytes: discarded, head });
      head = new Uint8Array(0);
      discarded = 0;
      return;
    }
    let line = concat(parts, held);
    parts = [];
    held = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length === 0) return; // blank lines carry no message
    let text: string;
    try {
      text = decoder.decode(line);
    } catch {
      emit({ kind: 'bad_utf8' });
      return;
    }
    emit({ kind: 'line', text });
  }

  function take(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (discarded > 0) {
      discarded += piece.length;
      return;
    }
    if (held + piece.length > maxLineBytes) {
      discarded = held + piece.length; // over the limit, so above 0
      head = concat([...parts, piece], held + piece.length).slice(0, HEAD_BYTES);
      parts = [];
      held = 0;
      return;
    }
    // Copy: the runtime may reuse the chunk's memory after the callback returns.
    parts.push(piece.slice());
    held += piece.length;
  }

  return {
    push(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        take(chunk.subarray(start, nl));
        finishLine();
        start = nl + 1;
      }
      take(chunk.subarray(start));
    },
    end() {
      if (held > 0 || discarded > 0) finishLine();
    },
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
