// Deno's own stdin, read into one reused buffer. Through the Node compatibility layer every chunk is a
// fresh Buffer, which let a 100 MB line or a 10,000-request flood raise Deno's peak memory well past
// Node's; reading with Deno.stdin.read into a single 64 KiB array keeps it flat. The line reader copies
// whatever it keeps, so reusing the array is safe.

type DenoReader = { readonly read: (into: Uint8Array) => Promise<number | null> };
type DenoGlobal = { readonly stdin?: DenoReader };

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
