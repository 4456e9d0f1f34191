// The stateless era (MCP 2026-07-28): no initialize and no session. Every request carries its version
// and the client's capabilities in `_meta`; results carry `resultType` and caching hints; the server
// never sends requests of its own, so consent is asked through an input-required result whose
// `requestState` travels with the client: signed with a per-process HMAC key, bound to the method, the
// call's arguments and the document, with an expiry (confirm.timeoutMs) and single use.
import type { AuditLog } from '../audit/log.ts';
import { invalidParams, RPC, RpcError } from '../jsonrpc/codes.ts';
import { isPlainObject, type Params } from '../jsonrpc/message.ts';
import { consentAnswer, consentForm, type ConsentAnswer, type ConsentRequest } from '../policy/confirm.ts';
import type { Host } from '../runtime/host.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';
import { InputRequired, refuse, unknownMethod, type Era, type EraRequestContext } from './era.ts';
import { instructionsFor, serverInfoFor } from './handshake_era.ts';
import { createNotifier, isLogLevel, LEVEL_NAMES } from './notifier.ts';
import type { Services } from './services.ts';
import { ALL_VERSIONS, META, STATELESS_FEATURES, STATELESS_VERSION } from './versions.ts';

/** Methods 2026-07-28 removed; they answer -32601 in this era. */
const REMOVED = new Set([
  'initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'subscriptions/listen',
]);

/** Caching hints per result: tool and template lists change only with a new process, documents at any time. */
type Caching = { readonly ttlMs: number; readonly cacheScope: 'public' | 'private' };
const PER_PROCESS: Caching = { ttlMs: 300_000, cacheScope: 'public' };
const CACHING: ReadonlyMap<string, Caching> = new Map<string, Caching>([
  ['server/discover', PER_PROCESS], ['tools/list', PER_PROCESS], ['resources/templates/list', PER_PROCESS],
  ['resources/list', { ttlMs: 2_000, cacheScope: 'private' }], ['resources/read', { ttlMs: 0, cacheScope: 'private' }],
]);

const CONSENT_KEY = 'confirm_read';

export function createStatelessEra(
  host: Host, services: Services, audit: AuditLog, send: (m: unknown) => void, hasMethod: (m: string) => boolean,
): Era {
  const states = createRequestStates(host, services.config.confirm.timeoutMs);
  const serverInfo = serverInfoFor(STATELESS_FEATURES);
  const badParams = (message: string, reason: string) => invalidParams(`Invalid params: ${message}`, reason);
  const invalid = (message: string) => refuse(RPC.INVALID_PARAMS, `Invalid params: ${message}`, 'invalid_meta');

  function consentFor(method: string, params: Params | undefined, caps: Params) {
    // The salient parameters of the paused call: the retry must be the same call on the same document.
    const salient = ['name', 'arguments', 'uri'].map((k) => params?.[k] ?? null);
    const digest = host.sha256Hex(JSON.stringify([method, ...salient]));
    return async (r: ConsentRequest): Promise<ConsentAnswer> => {
      const subject = `${r.root}:${r.path}:${r.size}`;
      const record = (reason: string) => audit.write({ event: 'consent', era: STATELESS_VERSION, tool: r.tool,
        files: [`${r.root}:${r.path}`], outcome: reason === 'accepted' || reason === 'asked' ? 'ok' : 'refused',
        reason, bytes: r.size });
      const { requestState: state, inputResponses: responses } = params ?? {};
      if (state !== undefined) {
        const notString = '`requestState` must be the string from the input-required result';
        if (typeof state !== 'string') throw badParams(notString, 'bad_request_state');
        const check = states.verify(state, { method, digest, subject });
        if (!check.ok) {
          record(`request_state_${check.reason.replace(/ /g, '_')}`);
          const again = 'call again without requestState and inputResponses';
          throw badParams(`requestState ${check.reason}; ${again}`, 'bad_request_state');
        }
        if (responses !== undefined && !isPlainObject(responses)) {
          throw badParams('`inputResponses` must be an object', 'bad_input_responses');
        }
        const answer = isPlainObject(responses) ? responses[CONSENT_KEY] : undefined;
        if (answer !== undefined) {
          const notResult = `\`inputResponses.${CONSENT_KEY}\` must be an elicitation result`;
          if (!isPlainObject(answer)) throw badParams(notResult, 'bad_input_responses');
          const verdict = consentAnswer(answer);
          record(verdict);
          return verdict;
        }
        // A verified state without the answer: ask again (MRTR: re-request rather than fail).
      }
      if (!isPlainObject(caps['elicitation'])) {
        record('unsupported');
        const message = `Cannot read "${r.root}:${r.path}": it needs the user's confirmation and the request did not ` +
          'declare the elicitation capability; nothing was read';
        const data = { requiredCapabilities: { elicitation: {} } };
        throw new RpcError(RPC.MISSING_CLIENT_CAPABILITY, message, 'missing_capability', data);
      }
      record('asked');
      const ask = { method: 'elicitation/create', params: { mode: 'form', ...consentForm(r) } };
      const requestState = states.issue({ method, digest, subject });
      const inputRequests = { [CONSENT_KEY]: ask };
      throw new InputRequired({ resultType: 'input_required', inputRequests, requestState });
    };
  }

  return {
    name: 'stateless', version: STATELESS_VERSION, batches: false,
    admit(method, params) {
      const meta = params?.['_meta'];
      const carry = `2026-07-28 requests carry params._meta with "${META.version}" and "${META.capabilities}"`;
      if (!isPlainObject(meta)) return invalid(carry);
      const version = meta[META.version];
      const caps = meta[META.capabilities];
      if (typeof version !== 'string') return invalid(`params._meta is missing "${META.version}"`);
      if (!isPlainObject(caps)) return invalid(`params._meta is missing the object "${META.capabilities}"`);
      if (version !== STATELESS_VERSION) {
        const unsupported = `Unsupported protocol version ${JSON.stringify(version.slice(0, 40))}`;
        const data = { supported: [...ALL_VERSIONS], requested: version };
        return refuse(RPC.UNSUPPORTED_PROTOCOL_VERSION, unsupported, 'unsupported_version', data);
      }
      const level = meta[META.logLevel];
      if (level !== undefined && !isLogLevel(level)) return invalid(`"${META.logLevel}" must be one of ${LEVEL_NAMES}`);
      if (method === 'server/discover') {
        const capabilities = { tools: {}, resources: {}, completions: {}, logging: {} };
        const instructions = instructionsFor(services.config.roots);
        return { kind: 'answer', result: { supportedVersions: [...ALL_VERSIONS], capabilities, instructions } };
      }
      if (REMOVED.has(method)) {
        const why = `is not part of protocol ${STATELESS_VERSION}, which this process speaks`;
        return refuse(RPC.METHOD_NOT_FOUND, `Method not found: ${method} ${why}`, 'removed_method');
      }
      if (!hasMethod(method)) return unknownMethod(method);
      // Log messages only when this request asked for them, and only before its response.
      const notifier = createNotifier(send, isLogLevel(level) ? level : 'emergency', host.now);
      if (isLogLevel(level)) notifier.enable();
      const context: EraRequestContext = {
        features: STATELESS_FEATURES, log: (l, logger, data) => notifier.log(l, logger, data),
        askConsent: consentFor(method, params, caps), ready: () => Promise.resolve(),
      };
      return { kind: 'run', context };
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
const FULL = `too many answers pending (${MAX_REMEMBERED}); retry once older ones expire`;

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
      if ((['method', 'digest', 'subject'] as const).some((k) => body[k] !== expected[k])) {
        return { ok: false, reason: 'issued for a different request' };
      }
      if (used.has(nonce)) return { ok: false, reason: 'already used' };
      // An unexpired nonce is never forgotten (forgetting it would accept a replay): when the memory is
      // full of them, this answer is refused until some expire.
      if (used.size >= MAX_REMEMBERED) for (const [n, exp] of used) if (exp < host.now()) used.delete(n);
      if (used.size >= MAX_REMEMBERED) return { ok: false, reason: FULL };
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
