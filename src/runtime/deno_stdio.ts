// Deno's own stdin and stdout. Through the Node compatibility layer every stdin chunk is a fresh
// Buffer and every stdout write is kept by a stream, which let a 100 MB line, a 10,000-request flood
// or a slow reader raise Deno's peak memory well past Node's. Reading with Deno.stdin.read into one
// 64 KiB array, and writing each line with Deno.stdout.write until it is all out, keeps it flat. The line
// reader copies whatever it keeps, so reusing the array is safe.

type DenoReader = { readonly read: (into: Uint8Array) => Promise<number | null> };
type DenoWriter = { readonly write: (from: Uint8Array) => Promise<number> };
type DenoGlobal = { readonly stdin?: DenoReader; readonly stdout?: DenoWriter };

const CHUNK_BYTES = 64 * 1024;

export type StdinControl = { readonly pause: () => void; readonly resume: () => void };

/** Starts reading Deno's stdin; null when not running under Deno. */
export function readDenoStdin(onChunk: (chunk: Uint8Array) => void, onEnd: () => void): StdinControl | null {
  const stdin = (globalThis as { Deno?: DenoGlobal }).Deno?.stdin;
  if (!stdin) return null;
  let paused = false;
  let wake: (() => void) | null = null;
  const buffer = new Uint8Array(CHUNK_BYTES);
  void (async () => {
    try {
      for (;;) {
        while (paused) await new Promise<void>((resolve) => (wake = resolve));
        const n = await stdin.read(buffer);
        if (n === null) break;
        onChunk(buffer.subarray(0, n));
      }
    } catch {
      // A closed or broken stdin ends the session like EOF.
    }
    onEnd();
  })();
  return {
    pause: () => void (paused = true),
    resume() {
      paused = false;
      const w = wake;
      wake = null;
      w?.();
    },
  };
}

/** A writer for Deno's stdout (resolves once the whole line is written), or null when not under Deno. */
export function denoStdoutWriter(onGone: () => void): ((text: string) => Promise<void>) | null {
  const stdout = (globalThis as { Deno?: DenoGlobal }).Deno?.stdout;
  if (!stdout) return null;
  const encoder = new TextEncoder();
  return async (text) => {
    const bytes = encoder.encode(text);
    try {
      for (let off = 0; off < bytes.length; ) off += await stdout.write(bytes.subarray(off));
    } catch {
      onGone(); // broken pipe: the client is gone
    }
  };
}
