// The stateless era (MCP 2026-07-28): no initialize and no session. Every request carries its version
// and the client's capabilities in `_meta`; results carry `resultType` and caching hints; the server
// never sends requests of its own, so consent is asked through an input-required result whose
// `requestState` travels with the client: signed with a per-process HMAC key, bound to the method, the
// call's arguments and the document, with an expiry (confirm.timeoutMs) and single use.
import type { AuditLog } from '../audit/log.ts';
import { RPC, RpcError } from '../jsonrpc/codes.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import { consentAnswer, consentForm, type ConsentAnswer, type ConsentRequest } from '../policy/confirm.ts';
import type { Host } from '../runtime/host.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';
import { InputRequired, type Era } from './era.ts';
import { instructionsFor, serverInfoFor } from './handshake_era.ts';
import { createNotifier, isLogLevel } from './notifier.ts';
import type { Services } from './services.ts';
import { ALL_VERSIONS, META, STATELESS_FEATURES, STATELESS_VERSION } from './versions.ts';

/** Methods 2026-07-28 removed; they answer -32601 in this era. */
const REMOVED = new Set(['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'subscriptions/listen']);

/** Caching hints per result: tool and template lists change only with a new process; documents may change any time. */
const CACHING: ReadonlyMap<string, { readonly ttlMs: number; readonly cacheScope: 'public' | 'private' }> = new Map([
  ['server/discover', { ttlMs: 300_000, cacheScope: 'public' }],
  ['tools/list', { ttlMs: 300_000, cacheScope: 'public' }],
  ['resources/templates/list', { ttlMs: 300_000, cacheScope: 'public' }],
  ['resources/list', { ttlMs: 2_000, cacheScope: 'private' }],
  ['resources/read', { ttlMs: 0, cacheScope: 'private' }],
]);

const CONSENT_KEY = 'confirm_read';

export function createStatelessEra(host: Host, services: Services, audit: AuditLog, send: (m: unknown) => void, hasMethod: (m: string) => boolean): Era {
  const states = createRequestStates(host, services.config.confirm.timeoutMs);
  const serverInfo = serverInfoFor(STATELESS_FEATURES);
  const invalid = (message: string) => ({ kind: 'refuse' as const, error: new RpcError(RPC.INVALID_PARAMS, `Invalid params: ${message}`, 'invalid_meta') });

  function consentFor(method: string, params: Readonly<Record<string, unknown>> | undefined, caps: Readonly<Record<string, unknown>>) {
    // The salient parameters of the paused call: the retry must be the same call on the same document.
    const digest = host.sha256Hex(JSON.stringify([method, params?.['name'] ?? null, params?.['arguments'] ?? null, params?.['uri'] ?? null]));
    return async (r: ConsentRequest): Promise<ConsentAnswer> => {
      const subject = `${r.root}:${r.path}:${r.size}`;
      const record = (reason: string) => audit.write({ event: 'consent', era: STATELESS_VERSION, tool: r.tool, files: [`${r.root}:${r.path}`], outcome: reason === 'accepted' || reason === 'asked' ? 'ok' : 'refused', reason, bytes: r.size });
      const state = params?.['requestState'];
      const responses = params?.['inputResponses'];
      if (state !== undefined) {
        if (typeof state !== 'string') throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: `requestState` must be the string from the input-required result', 'bad_request_state');
        const check = states.verify(state, { method, digest, subject });
        if (!check.ok) {
          record(`request_state_${check.reason.replace(/ /g, '_')}`);
          throw new RpcError(RPC.INVALID_PARAMS, `Invalid params: requestState ${check.reason}; call again without requestState and inputResponses`, 'bad_request_state');
        }
        if (responses !== undefined && !isPlainObject(responses)) {
          throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: `inputResponses` must be an object', 'bad_input_responses');
        }
        const answer = isPlainObject(responses) ? responses[CONSENT_KEY] : undefined;
        if (answer !== undefined) {
          if (!isPlainObject(answer)) throw new RpcError(RPC.INVALID_PARAMS, `Invalid params: \`inputResponses.${CONSENT_KEY}\` must be an elicitation result`, 'bad_input_responses');
          const verdict = consentAnswer(answer);
          record(verdict);
          return verdict;
        }
        // A verified state without the answer: ask again (MRTR: re-request rather than fail).
      }
      if (!isPlainObject(caps['elicitation'])) {
        record('unsupported');
        throw new RpcError(RPC.MISSING_CLIENT_CAPABILITY, `Cannot read "${r.root}:${r.path}": it needs the user's confirmation and the request did not declare the elicitation capability; nothing was read`, 'missing_capability', { requiredCapabilities: { elicitation: {} } });
      }
      record('asked');
      throw new InputRequired({
        resultType: 'input_required',
        inputRequests: {
          [CONSENT_KEY]: {
            method: 'elicitation/create',
            params: { mode: 'form', ...consentForm(r) },
          },
        },
        requestState: states.issue({ method, digest, subject }),
      });
    };
  }

  return {
    name: 'stateless',
    version: STATELESS_VERSION,
    batches: false,
    admit(method, params) {
      const meta = params?.['_meta'];
      if (!isPlainObject(meta)) return invalid(`2026-07-28 requests carry params._meta with "${META.version}" and "${META.capabilities}"`);
      const version = meta[META.version];
      const caps = meta[META.capabilities];
      if (typeof version !== 'string') return invalid(`params._meta is missing "${META.version}"`);
      if (!isPlainObject(caps)) return invalid(`params._meta is missing the object "${META.capabilities}"`);
      if (version !== STATELESS_VERSION) {
        return { kind: 'refuse', error: new RpcError(RPC.UNSUPPORTED_PROTOCOL_VERSION, `Unsupported protocol version ${JSON.stringify(version.slice(0, 40))}`, 'unsupported_version', { supported: [...ALL_VERSIONS], requested: version }) };
      }
      const level = meta[META.logLevel];
      if (level !== undefined && !isLogLevel(level)) return invalid(`"${META.logLevel}" must be one of debug, info, notice, warning, error, critical, alert, emergency`);
      if (method === 'server/discover') {
        return {
          kind: 'answer',
          result: {
            supportedVersions: [...ALL_VERSIONS],
            capabilities: { tools: {}, resources: {}, completions: {}, logging: {} },
            instructions: instructionsFor(services.config.roots),
          },
        };
      }
      if (REMOVED.has(method)) {
        return { kind: 'refuse', error: new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${method} is not part of protocol ${STATELESS_VERSION}, which this process speaks`, 'removed_method') };
      }
      if (!hasMethod(method)) return { kind: 'refuse', error: new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${JSON.stringify(method.slice(0, 60))}`, 'unknown_method') };
      // Log messages only when this request asked for them, and only before its response.
      const notifier = createNotifier(send, isLogLevel(level) ? level : 'emergency', host.now);
      if (isLogLevel(level)) notifier.enable();
      return {
        kind: 'run',
        context: {
          features: STATELESS_FEATURES,
          log: (l, logger, data) => notifier.log(l, logger, data),
          askConsent: consentFor(method, params, caps),
          ready: () => Promise.resolve(),
        },
      };
    },
    notification: () => undefined, // notifications/cancelled is handled by the loop; nothing else exists
    finish(method, result) {
      const out: Record<string, unknown> = isPlainObject(result) ? { ...result } : {};
      out['resultType'] ??= 'complete';
      const caching = CACHING.get(method);
      if (caching && out['resultType'] === 'complete') Object.assign(out, caching);
      out['_meta'] = { ...(isPlainObject(out['_meta']) ? out['_meta'] : {}), [META.serverInfo]: serverInfo };
      return out;
    },
  };
}

type StatePayload = { readonly method: string; readonly digest: string; readonly subject: string };

const MAX_REMEMBERED = 10_000;

/** `ttlMs`: how long the user has to answer (confirm.timeoutMs); an older state is refused. */
export function createRequestStates(host: Host, ttlMs: number) {
  const key = host.randomBytes(32);
  const used = new Map<string, number>(); // nonce -> expiry, for single use
  const sign = (body: string) => host.hmacSha256Hex(key, body);
  return {
    issue(payload: StatePayload): string {
      const nonce = Array.from(host.randomBytes(12), (b) => b.toString(16).padStart(2, '0')).join('');
      const body = JSON.stringify({ v: 1, n: nonce, exp: Math.round(host.now() + ttlMs), ...payload });
      const encoded = encodeBase64Url(body);
      return `${encoded}.${sign(encoded)}`;
    },
    /** Ok if the state is authentic, unexpired, unused and matches; otherwise the reason. */
    verify(state: string, expected: StatePayload): { ok: true } | { ok: false; reason: string } {
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
