// `docwarden call TOOL JSON`: one tool call through the same validation, policy and mapping as the
// server, printing what the model would see, recorded in the configured audit log. Exit status 1 when
// the result is an error.
import type { AuditLog } from '../audit/log.ts';
import type { Config } from '../config/load.ts';
import { createNotifier } from '../mcp/notifier.ts';
import { RpcError } from '../jsonrpc/codes.ts';
import { createServices } from '../mcp/services.ts';
import { createMethodTable, type CallAudit } from '../mcp/methods.ts';
import { featuresOf, LATEST_VERSION } from '../mcp/versions.ts';
import type { Host } from '../runtime/host.ts';

export async function runCall(
  host: Host, config: Config, audit: AuditLog, tool: string, json: string,
): Promise<{ readonly output: string; readonly ok: boolean }> {
  const started = host.now();
  const a: CallAudit = {};
  const touched: string[] = [];
  const record = (outcome: 'ok' | 'refused' | 'error', code: number | null) => audit.write({
    event: 'request', era: 'cli', method: 'tools/call', tool, args: a.args,
    files: touched.length > 0 ? touched : undefined, outcome: a.outcome ?? outcome, code, reason: a.reason ?? null,
    ms: Math.round((host.now() - started) * 10) / 10, bytes: a.bytes, receipt: a.receipt,
  });
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch (err) {
    // The parser's message says where the JSON breaks (position, or the text around it).
    a.reason = 'invalid_json';
    record('refused', -32700);
    const where = err instanceof Error ? err.message.slice(0, 200) : 'parse error';
    return { output: `Cannot call: the JSON arguments are not valid JSON: ${where}\n`, ok: false };
  }
  // The server's own method table: the same tool context, validation, limits and reply checks.
  const none = () => undefined;
  const services = createServices(host, config, createNotifier(none, 'emergency', host.now), none);
  const methods = createMethodTable(services, none);
  const controller = new AbortController();
  const cancel = host.setTimer(config.limits.deadlineMs, () => controller.abort());
  try {
    // No user to ask on the command line: reads that need consent are refused.
    const context = { features: featuresOf(LATEST_VERSION), log: none, askConsent: async () => 'unsupported' as const,
      ready: async () => undefined };
    const params = { name: tool, arguments: args };
    const scope = { method: 'tools/call', params, signal: controller.signal, audit: a, touched, context };
    const result = (await methods.get('tools/call')?.(scope)) as Record<string, unknown>;
    record('ok', null);
    const blocks = result['content'] as { type: string; text?: string }[];
    const content = blocks.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    const data = result['structuredContent'];
    const structured = data === undefined ? '' : `\n\nstructuredContent:\n${JSON.stringify(data, null, 2)}`;
    return { output: content + structured + '\n', ok: result['isError'] !== true };
  } catch (err) {
    a.reason ??= err instanceof RpcError ? err.reason : 'internal';
    record(err instanceof RpcError ? 'refused' : 'error', err instanceof RpcError ? err.code : -32603);
    if (err instanceof RpcError) return { output: `Error ${err.code}: ${err.message}\n`, ok: false };
    throw err;
  } finally {
    cancel();
  }
}
