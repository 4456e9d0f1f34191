// tools/list and tools/call: the closed tool table, argument validation, per-tool rate limits, and the
// choice between an isError result and a JSON-RPC error for each way a call fails (docs/protocol.md, "Tools").
import { Failure } from '../errors/failure.ts';
import { invalidParams, RPC, RpcError } from '../jsonrpc/codes.ts';
import { isPlainObject, type Params } from '../jsonrpc/message.ts';
import type { RateLimiter } from '../policy/rate_limit.ts';
import { docUri } from '../formats/doc_uri.ts';
import type { ToolContext, ToolResult } from '../tools/context.ts';
import { describeTool, type ToolTable } from '../tools/registry.ts';
import { utf8Length } from '../text/utf8.ts';
import { ArgumentError, quote } from '../validate/schema.ts';
import { errorResult, rateLimitText, toolFailureText, type Outcome } from './outcome.ts';
import type { Features } from './versions.ts';

export type CallAudit = {
  tool?: string; args?: unknown; reason?: string; outcome?: Outcome; detail?: string; bytes?: number;
  /** Secrets redacted from the reply (files.redactSecrets); a list, since "*-token" keys would be redacted. */
  redacted?: { family: string; count: number }[];
};

export function listTools(table: ToolTable, features: Features, params: Params | undefined): unknown {
  const onePage = 'Invalid cursor: tools/list has a single page';
  if (params?.['cursor'] !== undefined) throw invalidParams(onePage, 'invalid_cursor');
  return { tools: [...table.values()].map((t) => describeTool(t, features)) };
}

function wireResult(r: ToolResult, features: Features): Record<string, unknown> {
  const content: Record<string, unknown>[] = [{ type: 'text', text: r.text }];
  if (!features.structured) return { content };
  for (const { root, path, mimeType, size } of r.links) {
    const link = { type: 'resource_link', uri: docUri(root, path), name: path, mimeType };
    content.push(size === undefined ? link : { ...link, size });
  }
  return r.structured ? { content, structuredContent: r.structured } : { content };
}

export type CallDeps = {
  readonly table: ToolTable;
  readonly features: Features;
  readonly limiter: RateLimiter;
  readonly limits: { readonly callsPerMinute: number; readonly burst: number; readonly responseBytes: number };
};

export async function callTool(
  deps: CallDeps, params: Readonly<Record<string, unknown>> | undefined, ctx: ToolContext, audit: CallAudit,
): Promise<Record<string, unknown>> {
  const name = params?.['name'];
  if (typeof name !== 'string') throw invalidParams('Invalid params: tools/call needs a string `name`');
  const tool = deps.table.get(name);
  if (!tool) {
    throw invalidParams(`Unknown tool ${quote(name)}; available: ${[...deps.table.keys()].join(', ')}`, 'unknown_tool');
  }
  audit.tool = name;
  /** A refusal the client sees as an isError result; the audit record keeps `reason`. */
  const refused = (reason: string, message: string) => {
    audit.outcome = 'refused';
    audit.reason = reason;
    return errorResult(message);
  };
  // Every call of a known tool, well-formed or not, counts toward the rate limit: its record is written whole.
  const take = deps.limiter.take(name);
  if (!take.ok) return refused('rate_limited', rateLimitText(name, deps.limits, take.retryAfterMs));
  const rawArgs = params?.['arguments'] ?? {};
  if (!isPlainObject(rawArgs)) throw invalidParams('Invalid params: `arguments` must be an object');
  audit.args = rawArgs;
  let run: (ctx: ToolContext) => Promise<ToolResult>;
  try {
    run = tool.prepare(rawArgs);
  } catch (err) {
    if (!(err instanceof ArgumentError)) throw err;
    const message = `Invalid arguments for ${name}: ${err.message}`;
    const asResult = refused('invalid_argument', message); // either way, recorded as refused with this reason
    if (deps.features.argumentErrorsAsResults) return asResult;
    throw new RpcError(RPC.INVALID_PARAMS, message, 'invalid_argument');
  }
  try {
    const result = wireResult(await run(ctx), deps.features);
    const size = utf8Length(JSON.stringify(result));
    audit.bytes = size; // measured once here; the loop does not serialise large results again
    if (size > deps.limits.responseBytes) {
      const limit = `${deps.limits.responseBytes}-byte reply limit (limits.responseBytes)`;
      const advice = 'ask for fewer items or a narrower range';
      return refused('result_too_large', `Cannot reply: the result is ${size} bytes, over the ${limit}; ${advice}`);
    }
    audit.outcome = 'ok';
    return result;
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    // A forged cursor is bad input like a bad argument: -32602 where those are protocol errors.
    const asError = err.reason === 'invalid_cursor' && !deps.features.argumentErrorsAsResults;
    if (asError) throw new RpcError(RPC.INVALID_PARAMS, err.publicMessage, 'invalid_cursor');
    audit.outcome = err.reason === 'internal' ? 'error' : 'denied';
    audit.reason = err.reason;
    if (err.message !== err.publicMessage) audit.detail = err.message;
    return errorResult(toolFailureText(name, err));
  }
}
