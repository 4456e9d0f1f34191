// The method table both eras share (a Map, so "__proto__" or "toString" are just unknown methods).
// Each handler receives a request scope and returns the result object or throws an RpcError; the era
// supplies what differs (features, consent, logging) through the scope's context.
import { RPC, RpcError } from '../jsonrpc/codes.ts';
import type { ToolContext } from '../tools/context.ts';
import { createProgress, isLogLevel } from './notifier.ts';
import { rateLimitText } from './outcome.ts';
import { complete, listResources, listTemplates, readResource } from './resources.ts';
import type { Services } from './services.ts';
import { callTool, listTools, type CallAudit } from './tools_api.ts';
import { countRedactions } from '../audit/redact.ts';
import type { EraRequestContext } from './era.ts';

export type { CallAudit };
const REDACTED_META = 'io.github.docwarden/redacted';

export type RequestScope = {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly signal: AbortSignal;
  readonly audit: CallAudit;
  readonly touched: string[];
  readonly context: EraRequestContext;
  progressDone?: () => void;
};

type Handler = (scope: RequestScope) => Promise<unknown>;
export type MethodTable = ReadonlyMap<string, Handler>;

export function createMethodTable(s: Services, sendNotification: (m: unknown) => void): MethodTable {
  async function toolContext(scope: RequestScope): Promise<ToolContext> {
    await scope.context.ready(); // handshake era: client roots narrow access before any file is touched
    const meta = scope.params?.['_meta'];
    const token = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['progressToken'] : undefined;
    const progress = createProgress(
      (m) => (scope.signal.aborted ? undefined : sendNotification(m)),
      typeof token === 'string' || typeof token === 'number' ? token : undefined,
      scope.context.features.annotations,
      s.host.now,
    );
    scope.progressDone = progress.finish;
    return {
      confinement: s.confinement, roots: s.config.roots, narrowing: s.narrowing(), limits: s.config.limits,
      docs: s.docs, corpus: s.corpus, signal: scope.signal, progress: progress.report, touched: scope.touched,
      confirmPolicy: s.confirmPolicy, askConsent: scope.context.askConsent,
    };
  }
  // Document text is redacted where it is decoded (document/document.ts); a reply that carries redaction
  // markers says how many, by family, in `_meta` and in its audit record.
  const served = (sc: RequestScope, reply: Record<string, unknown>, blocks: unknown): unknown => {
    const text = Array.isArray(blocks) ? (blocks[0] as { text?: unknown } | undefined)?.text : undefined;
    const counts = s.config.files.redactSecrets && typeof text === 'string' ? countRedactions(text) : null;
    if (counts === null) return reply;
    sc.audit.redacted = Object.entries(counts).map(([family, count]) => ({ family, count }));
    return { ...reply, _meta: { ...(reply['_meta'] as object | undefined), [REDACTED_META]: counts } };
  };
  return new Map<string, Handler>([
    ['tools/list', async (sc) => listTools(s.tools, sc.context.features, sc.params)],
    ['tools/call', async (sc) => {
      const deps = { table: s.tools, features: sc.context.features, limiter: s.limiter, limits: s.config.limits };
      const reply = await callTool(deps, sc.params, await toolContext(sc), sc.audit);
      return served(sc, reply, reply['content']);
    }],
    ['resources/list', async (sc) => listResources(await toolContext(sc), sc.params?.['cursor'])],
    ['resources/templates/list', async (sc) => listTemplates(s.config.roots, sc.context.features.structured)],
    ['resources/read', async (sc) => {
      const take = s.limiter.take('resources/read');
      if (!take.ok) {
        const data = { limit: 'limits.callsPerMinute', retryAfterMs: take.retryAfterMs };
        throw new RpcError(RPC.LIMIT_REACHED, rateLimitText('resources/read', s.config.limits, take.retryAfterMs), 'rate_limited', data);
      }
      sc.audit.args = { uri: sc.params?.['uri'] };
      const ctx = await toolContext(sc);
      const { binary } = s.config.files;
      const reply = await readResource(ctx, sc.params?.['uri'], binary, s.config.limits.responseBytes);
      return served(sc, reply, reply['contents']);
    }],
    ['completion/complete', async (sc) => complete(await toolContext(sc), sc.params)],
    ['logging/setLevel', async (sc) => {
      const level = sc.params?.['level'];
      if (!isLogLevel(level)) throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: `level` must be one of debug, info, notice, warning, error, critical, alert, emergency', 'invalid_params');
      s.notifier.setLevel(level);
      return {};
    }],
  ]);
}
