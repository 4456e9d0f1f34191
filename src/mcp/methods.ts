// The method table both eras share (a Map, so "__proto__" or "toString" are just unknown methods).
// Each handler receives a request scope and returns the result object or throws an RpcError; the era
// supplies what differs (features, consent, logging) through the scope's context.
import { invalidParams, RPC, RpcError } from '../jsonrpc/codes.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import type { ToolContext } from '../tools/context.ts';
import { createProgress, isLogLevel, LEVEL_NAMES } from './notifier.ts';
import { rateLimitText } from './outcome.ts';
import { complete, listResources, listTemplates, readResource } from './resources.ts';
import type { Services } from './services.ts';
import { callTool, listTools, type CallAudit as ToolAudit } from './tools_api.ts';
import { countRedactions } from '../audit/redact.ts';
import { sha256InSlices } from '../sched/slice.ts';
import type { EraRequestContext } from './era.ts';

export type CallAudit = ToolAudit & { receipt?: { sent: string; source?: string } }; // a read receipt's SHA-256s
const REDACTED_META = 'io.github.docwarden/redacted';
const READS_TEXT: ReadonlySet<string> = new Set(['read_doc', 'outline_doc', 'search_docs']); // replies of document text

export type RequestScope = {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly signal: AbortSignal;
  readonly audit: CallAudit;
  readonly touched: string[];
  readonly context: EraRequestContext;
  progressDone?: () => void;
  source?: string | Uint8Array; // the one document's served text (or bytes) the reply was cut from
};

export type Handler = (scope: RequestScope) => Promise<unknown>;
export type MethodTable = ReadonlyMap<string, Handler>;

export function createMethodTable(s: Services, sendNotification: (m: unknown) => void): MethodTable {
  async function toolContext(scope: RequestScope): Promise<ToolContext> {
    await scope.context.ready(); // handshake era: client roots narrow access before any file is touched
    const meta = scope.params?.['_meta'];
    const token = isPlainObject(meta) ? meta['progressToken'] : undefined;
    const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    const notify = (m: unknown) => (scope.signal.aborted ? undefined : sendNotification(m));
    const progress = createProgress(notify, progressToken, scope.context.features.annotations, s.host.now);
    scope.progressDone = progress.finish;
    return {
      confinement: s.confinement, roots: s.config.roots, narrowing: s.narrowing(), limits: s.config.limits,
      docs: s.docs, corpus: s.corpus, signal: scope.signal, progress: progress.report, touched: scope.touched,
      confirmPolicy: s.confirmPolicy, askConsent: scope.context.askConsent, servedFrom: (d) => void (scope.source = d),
    };
  }
  // Document text is redacted where it is decoded (document/document.ts); a reply that carries redaction
  // markers says how many, by family, in `_meta` and in its audit record. A reply of document text gets a read
  // receipt (docs/security.md, "Read receipts"), hashed in slices: the text sent, the document it was cut from.
  const served = async (sc: RequestScope, reply: Record<string, unknown>, blocks: unknown): Promise<unknown> => {
    const first = Array.isArray(blocks) ? (blocks[0] as { text?: unknown; blob?: unknown } | undefined) : undefined;
    const [text, tick, sent] = [first?.text, s.docs.ticker(sc.signal), first?.text ?? first?.blob];
    const carries = sc.method === 'resources/read' || (READS_TEXT.has(sc.audit.tool ?? '') && !reply['isError']);
    if (typeof sent === 'string' && carries) {
      const source = sc.source === undefined ? undefined : await sha256InSlices(s.host, sc.source, tick);
      sc.audit.receipt = { sent: await sha256InSlices(s.host, sent, tick), ...(source ? { source } : {}) };
    }
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
        const text = rateLimitText('resources/read', s.config.limits, take.retryAfterMs);
        throw new RpcError(RPC.LIMIT_REACHED, text, 'rate_limited', data);
      }
      sc.audit.args = { uri: sc.params?.['uri'] };
      const { files, limits } = s.config;
      const reply = await readResource(await toolContext(sc), sc.params?.['uri'], files.binary, limits.responseBytes);
      return served(sc, reply, reply['contents']);
    }],
    ['completion/complete', async (sc) => complete(await toolContext(sc), sc.params)],
    ['logging/setLevel', async (sc) => {
      const level = sc.params?.['level'];
      if (!isLogLevel(level)) throw invalidParams(`Invalid params: \`level\` must be one of ${LEVEL_NAMES}`);
      s.notifier.setLevel(level);
      return {};
    }],
  ]);
}
