// Per-tool token buckets (docs/security.md, "Limits"; docs/protocol.md, "Tools"). The clock is injected,
// so tests use a fake one and src/ never reads the host's time.
// Keys must come from a closed set (the registered tool names): the map holds one bucket per key. The
// config schema bounds the options (limits.callsPerMinute 0 to 1,000,000, 0 unlimited; limits.burst >= 1).

type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };
export type RateLimiter = { readonly take: (key: string) => TakeResult };

// Tokens are counted in units of 1/60,000: each millisecond adds `perMinute` units and a call costs
// 60,000. With an integer clock this is exact integer arithmetic, so after waiting `retryAfterMs` the
// call is always allowed (no floating-point shortfall of one ulp).
const UNITS_PER_TOKEN = 60_000;
const OK: TakeResult = { ok: true };

/** `perMinute` refills each bucket (0: unlimited); `burst` calls may follow each other after a quiet period. */
export function createRateLimiter(
  { perMinute, burst, now }: { perMinute: number; burst: number; now: () => number },
): RateLimiter {
  if (perMinute === 0) return { take: () => OK };
  const capacity = burst * UNITS_PER_TOKEN;
  const buckets = new Map<string, { units: number; last: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { units: capacity, last: t };
      buckets.set(key, bucket);
      // A clock that steps back (it should not) must not drain or overfill the bucket.
      const elapsed = Math.max(0, t - bucket.last);
      bucket.units = Math.min(capacity, bucket.units + elapsed * perMinute);
      bucket.last = Math.max(bucket.last, t);
      if (bucket.units >= UNITS_PER_TOKEN) {
        bucket.units -= UNITS_PER_TOKEN;
        return OK;
      }
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil((UNITS_PER_TOKEN - bucket.units) / perMinute)) };
    },
  };
}
