// One budget for the document bytes held in memory at once across all calls (limits.memoryBytes): a
// whole-file load (read, outline, hash, search) waits its turn, first come first served, instead of
// adding another copy, so concurrent calls cannot grow the process past the configured bound.
import { failure } from '../errors/failure.ts';
import { throwIfStopped } from './slice.ts';

export type MemoryBudget = {
  /** Runs `work` once `bytes` fit; the call's deadline or cancellation ends the wait. `more(n)` adds n bytes if
   * they fit now, else says false: a holder that waited for more could wait on another holder doing the same. */
  readonly use: <T>(bytes: number, signal: AbortSignal | undefined, work: (more: (n: number) => boolean) => Promise<T>)
    => Promise<T>;
};

export function createMemoryBudget(total: number): MemoryBudget {
  let used = 0;
  const waiting: { readonly bytes: number; readonly go: () => void }[] = [];
  function wake(): void {
    for (let w = waiting[0]; w !== undefined && used + w.bytes <= total; w = waiting[0]) {
      waiting.shift();
      used += w.bytes;
      w.go();
    }
  }
  return {
    async use(bytes, signal, work) {
      if (bytes > total) {
        const needs = `the document needs ${bytes} bytes (its size, or 16 per line)`;
        throw failure('too_large', `Cannot load: ${needs}, over the ${total}-byte memory budget (limits.memoryBytes)`);
      }
      if (signal) throwIfStopped(signal);
      if (waiting.length > 0 || used + bytes > total) {
        await new Promise<void>((resolve, reject) => {
          const turn = { bytes, go: () => (signal?.removeEventListener('abort', stop), resolve()) };
          const stop = () => (waiting.splice(waiting.indexOf(turn), 1), wake(), reject(signal?.reason));
          signal?.addEventListener('abort', stop, { once: true });
          waiting.push(turn);
        });
      } else used += bytes;
      let held = bytes;
      try {
        return await work((n) => used + n <= total && ((used += n), (held += n), true));
      } finally {
        used -= held;
        wake();
      }
    },
  };
}
