// Integrity-protected `requestState` for input-required results (MCP 2026-07-28): the server keeps
// no session, so the state of a paused call travels with the client, signed with a per-process HMAC
// key, bound to the method, the call's arguments and the document, with an expiry (confirm.timeoutMs)
// and single use.
import type { Host } from '../runtime/host.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';

export type StatePayload = { readonly method: string; readonly digest: string; readonly subject: string };

export type RequestStates = {
  readonly issue: (payload: StatePayload) => string;
  /** The payload if the state is authentic, unexpired, unused and matches; otherwise the reason. */
  readonly verify: (state: string, expected: StatePayload) => { readonly ok: true } | { readonly ok: false; readonly reason: string };
};

const MAX_REMEMBERED = 10_000;

/** `ttlMs`: how long the user has to answer (confirm.timeoutMs); an older state is refused. */
export function createRequestStates(host: Host, ttlMs: number): RequestStates {
  const key = host.randomBytes(32);
  const used = new Map<string, number>(); // nonce -> expiry, for single use
  const sign = (body: string) => host.hmacSha256Hex(key, body);
  return {
    issue(payload) {
      const nonce = Array.from(host.randomBytes(12), (b) => b.toString(16).padStart(2, '0')).join('');
      const body = JSON.stringify({ v: 1, n: nonce, exp: Math.round(host.now() + ttlMs), ...payload });
      const encoded = encodeBase64Url(body);
      return `${encoded}.${sign(encoded)}`;
    },
    verify(state, expected) {
      const dot = state.lastIndexOf('.');
      if (dot <= 0 || state.length > 4096) return { ok: false, reason: 'malformed' };
      const encoded = state.slice(0, dot);
      if (!timingSafeEqual(sign(encoded), state.slice(dot + 1))) return { ok: false, reason: 'bad signature' };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(decodeBase64Url(encoded)) as Record<string, unknown>;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const nonce = String(body['n']);
      if (typeof body['exp'] !== 'number' || body['exp'] < host.now()) return { ok: false, reason: 'expired' };
      if (body['method'] !== expected.method || body['digest'] !== expected.digest || body['subject'] !== expected.subject) {
        return { ok: false, reason: 'issued for a different request' };
      }
      if (used.has(nonce)) return { ok: false, reason: 'already used' };
      // An unexpired nonce is never forgotten (forgetting it would accept a replay): when the memory is
      // full of them, this answer is refused until some expire.
      if (used.size >= MAX_REMEMBERED) for (const [n, exp] of used) if (exp < host.now()) used.delete(n);
      if (used.size >= MAX_REMEMBERED) return { ok: false, reason: `too many answers pending (${MAX_REMEMBERED}); retry once older ones expire` };
      used.set(nonce, body['exp']);
      return { ok: true };
    },
  };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
