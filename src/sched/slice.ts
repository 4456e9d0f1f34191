// Time slicing for the one event loop (docs/security.md, "Time"): a loop whose length a client controls
// asks `due()` per unit of work and, when it says so, awaits `pause()`: pings, timers and other calls run,
// then the call ends with its deadline or cancellation failure. No worker threads (wider sandbox grant).
import { Failure, failure } from '../errors/failure.ts';
import type { Host } from '../runtime/host.ts';

/** Most work done between two turns of the event loop. */
export const SLICE_MS = 10;

export type Slicer = ReturnType<typeof createSlicer>;

const DECODE_BYTES = 1 << 18; // a few ms of UTF-8 decoding
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The UTF-8 text of `bytes` (a leading BOM dropped), or null when they are not text (a NUL, invalid UTF-8),
 * decoded a slice at a time. Slices end before a character's first byte, so each one is valid alone exactly
 * when the whole is (a stream decoder would do that but is several times slower than whole decodes).
 */
export async function decodeInSlices(bytes: Uint8Array, tick: () => Promise<void>): Promise<string | null> {
  const parts: string[] = [];
  for (let at = 0, end = 0; at < bytes.length; at = end) {
    await tick();
    end = Math.min(bytes.length, at + DECODE_BYTES);
    while (end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--; // a continuation byte
    try {
      parts.push(decoder.decode(bytes.subarray(at, end)));
    } catch {
      return null;
    }
    if ((parts[parts.length - 1] as string).includes('\0')) return null; // NUL: binary even if decodable
  }
  const text = parts.join('');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Throws the reason `signal` was aborted with (the deadline or cancellation failure). */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Failure ? signal.reason : failure('cancelled', 'Cancelled');
}

export function createSlicer(host: Pick<Host, 'now' | 'yieldNow'>, signal: AbortSignal) {
  let sliceEnd = host.now() + SLICE_MS;
  /** True once this slice's time is used up; one clock read, cheap enough to ask per line. */
  const due = () => host.now() >= sliceEnd;
  /** Yields to the event loop, then throws the call's failure if it passed its deadline or was cancelled. */
  async function pause(): Promise<void> {
    throwIfStopped(signal);
    await host.yieldNow();
    throwIfStopped(signal);
    sliceEnd = host.now() + SLICE_MS;
  }
  /** `if (due()) await pause()`, for loops whose steps are not tiny. */
  const tick = (): Promise<void> => (due() ? pause() : Promise.resolve());
  return { due, pause, tick };
}

/** The SHA-256 (hex) of `data` (a string as UTF-8), fed half a MiB (1-4 ms) at a time with `tick` before each. */
export async function sha256InSlices(host: Pick<Host, 'sha256'>, data: string | Uint8Array, tick: () => Promise<void>) {
  const hash = host.sha256();
  for (let at = 0, end = 0; at < data.length; at = end) {
    await tick();
    end = Math.min(data.length, at + (1 << 19));
    if (typeof data !== 'string') hash.update(data.subarray(at, end));
    else hash.update(data.slice(at, /[\ud800-\udbff]/.test(data.charAt(end - 1)) ? ++end : end)); // never half a pair
  }
  return hash.digest('hex');
}
