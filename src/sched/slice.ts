// Time slicing for the one event loop (docs/security.md, "Time"): a loop whose length a client controls
// asks `due()` per unit of work and, when it says so, awaits `pause()`: pings, timers and other calls run,
// then the call ends with its deadline or cancellation failure. No worker threads (wider sandbox grant).
import { Failure, failure } from '../errors/failure.ts';
import type { Host } from '../runtime/host.ts';

/** Most work done between two turns of the event loop. */
export const SLICE_MS = 10;

export type Slicer = {
  /** True once this slice's time is used up; one clock read, cheap enough to ask per line. */
  readonly due: () => boolean;
  /** Yields to the event loop, then throws the call's failure if it passed its deadline or was cancelled. */
  readonly pause: () => Promise<void>;
  /** `if (due()) await pause()`, for loops whose steps are not tiny. */
  readonly tick: () => Promise<void>;
};

/** Throws the reason `signal` was aborted with (the deadline or cancellation failure). */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Failure ? signal.reason : failure('cancelled', 'Cancelled');
}

export function createSlicer(host: Pick<Host, 'now' | 'yieldNow'>, signal: AbortSignal): Slicer {
  let sliceEnd = host.now() + SLICE_MS;
  const due = () => host.now() >= sliceEnd;
  async function pause(): Promise<void> {
    throwIfStopped(signal);
    await host.yieldNow();
    throwIfStopped(signal);
    sliceEnd = host.now() + SLICE_MS;
  }
  return { due, pause, tick: () => (due() ? pause() : Promise.resolve()) };
}
