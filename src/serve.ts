// Serving: from a loaded config to the end of the process, for an MCP client on stdio (`serve`) or one
// command-line `call`. This module and what it imports are the server path (docs/audit.md, "The server
// path"): a test proves no operator command of src/cli/ is reachable from here. src/main.ts makes the host
// and probes the sandbox's grants, then hands over.
import { createAuditLog, type AuditLog } from './audit/log.ts';
import { setRedactionTag } from './audit/redact.ts';
import { checkLocations, checkOpenLog, type GuardFinding } from './config/guard_rails.ts';
import type { Config } from './config/schema.ts';
import type { GrantAudit } from './config/self_audit.ts';
import { SERVER_VERSION } from './mcp/handshake_era.ts';
import { createServer } from './mcp/server.ts';
import { formatCensus, secretCensus } from './config/census.ts';
import type { Host } from './runtime/host.ts';
import { createLineReader } from './transport/line_reader.ts';
import { createMessageWriter } from './transport/writer.ts';

const EXIT_USAGE = 2;
const FLUSH_TIMEOUT_MS = 2000;
const DRAIN_MS = 1000;
const CENSUS_DELAY_MS = 500;

export function fail(host: Host, message: string): never {
  host.writeStderr(`docwarden: ${message}\n`);
  return host.exit(EXIT_USAGE);
}

/** Prints warnings; on a refusal prints every refusal and exits (production guard rails). */
function guard(host: Host, findings: readonly GuardFinding[], onRefuse: () => void = () => undefined): void {
  const refusals = findings.filter((f) => f.level === 'refuse');
  if (refusals.length > 0) {
    onRefuse();
    for (const f of refusals.slice(1)) host.writeStderr(`docwarden: Cannot start: ${f.message}\n`);
    fail(host, `Cannot start: ${(refusals[0] as GuardFinding).message}`);
  }
  for (const f of findings) if (f.level === 'warn') host.writeStderr(`docwarden: warning: ${f.message}\n`);
}

// Runs after the server is serving and yields while walking, so a large root never delays a reply.
async function reportCensus(host: Host, config: Config, audit: AuditLog, signal: AbortSignal): Promise<void> {
  for (const root of config.roots) {
    // A root gone since start-up (an unmounted share) is left out, not a crash (outside attack).
    const c = await secretCensus(host, config, root, signal, !host.descriptorLocations()).catch(() => undefined);
    if (c === null || signal.aborted) return;
    if (c === undefined) continue;
    audit.write({ event: 'census', outcome: 'info', detail: c });
    host.writeStderr(`docwarden: ${formatCensus(c)}\n`);
  }
}

/** Which confinement check this process makes, for the operator (stderr, `check`). */
export function confinementLine(host: Host): string {
  return host.descriptorLocations()
    ? 'confinement check: on the open descriptor (race-free)'
    : 'confinement check: by path (a folder swapped during a read can race it: docs/security.md, "Races")';
}

/** Serves one client on stdio until stdin ends or a signal; `hint` is printed when a person ran it at a terminal. */
export function serve(host: Host, config: Config, audit: AuditLog, hint: string | null): void {
  const census = new AbortController();
  const writer = createMessageWriter(host);
  const server = createServer(host, config, audit, writer);
  const reader = createLineReader(config.limits.lineBytes, server.onFrame);
  let stopping = false;
  const stop = async (why: string, graceful: boolean): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Nothing read after this point: a request read during shutdown would be audited after the
    // "stop" record (or after the log is closed). On some runtimes a read already in progress still
    // delivers its chunk after the pause, hence the gate on stdin below as well.
    host.pauseStdin();
    census.abort();
    // On stdin EOF, requests already received may finish, but only briefly: the client is leaving.
    if (graceful) await Promise.race([server.drain(), new Promise<void>((r) => host.setTimer(DRAIN_MS, r))]);
    await server.abortAll(why);
    audit.write({ event: 'stop', outcome: 'info', reason: why });
    const flushed = writer.flushed().then(() => host.stdoutFlushed()); // replies a slow reader has yet to take
    await Promise.race([flushed, new Promise<void>((r) => host.setTimer(FLUSH_TIMEOUT_MS, r))]);
    audit.close();
    host.exit(0);
  };
  host.onStdin((chunk) => {
    if (!stopping) reader.push(chunk);
    server.flow();
  }, () => {
    reader.end();
    void stop('stdin_closed', true);
  });
  host.onSignal('SIGTERM', () => void stop('sigterm', false));
  host.onSignal('SIGINT', () => void stop('sigint', false));
  // SIGUSR1 opens Node's inspector when the permission model is off; a listener keeps it shut (docs/security.md).
  if (host.platform !== 'win32') host.onSignal('SIGUSR1', () => undefined);
  // SIGHUP: the terminal or session that started the server is gone; finish like SIGTERM (one record each).
  if (host.platform !== 'win32') host.onSignal('SIGHUP', () => void stop('sighup', false));
  host.onStdoutGone(() => void stop('stdout_closed', false));
  const names = config.roots.map((r) => r.name).join(', ');
  const log = config.audit.path === 'stderr' ? 'stderr' : 'file';
  host.writeStderr(`docwarden ${SERVER_VERSION} (${host.runtime} ${host.runtimeVersion}, ${config.mode} mode): ` +
    `serving ${config.roots.length} root(s): ${names}; audit log: ${log}; ${confinementLine(host)}\n`);
  if (hint !== null) {
    host.writeStderr(`docwarden speaks MCP on stdin/stdout and is meant to be started by an MCP client.\n${hint}\n` +
      'README.md shows every client (VS Code too). Press Ctrl-D to quit.\n');
  }
  // After the client's first exchange and after the warm-up it started, so the census never competes with the
  // initialize reply, the first calls of the session or the reads that make its first search fast.
  const aside = async () => { // the census stands aside while a request runs, as the warm-up does
    while (server.busy()) await new Promise<void>((r) => host.setTimer(20, r));
    await host.yieldNow();
  };
  const takeCensus = () => reportCensus({ ...host, yieldNow: aside }, config, audit, census.signal);
  host.setTimer(CENSUS_DELAY_MS, () => void server.warmedUp().then(takeCensus));
}

/**
 * Everything before the first request: the sandbox verdict, the production guard rails, the audit log
 * opened and its start records. Refuses (exit 2, with every reason) instead of returning.
 */
export async function openSession(host: Host, config: Config, grants: GrantAudit): Promise<AuditLog> {
  // The runtime sandbox must not grant more than this config needs (docs/running-locked-down.md, "The
  // start-up self-audit").
  if (grants.verdict === 'refuse') return fail(host, grants.message);
  if (grants.verdict === 'warn') host.writeStderr(`docwarden: ${grants.message}\n`);
  const findings = await checkLocations(host, config);
  guard(host, findings);
  let audit: AuditLog;
  try {
    audit = createAuditLog(host, config.audit.path, config.audit);
  } catch {
    return fail(host, 'Cannot open the audit log: check audit.path (or --log): a regular file with one name, never ' +
      'a symbolic link (not followed), in a folder docwarden may write');
  }
  const tagKey = host.randomBytes(32);
  setRedactionTag((secret) => host.hmacSha256Hex(tagKey, secret).slice(0, 8));
  const opened = checkOpenLog(config, audit.file(), host.uid());
  guard(host, opened, () => audit.close());
  audit.write({
    event: 'start', outcome: 'info',
    detail: {
      version: SERVER_VERSION, runtime: `${host.runtime} ${host.runtimeVersion}`, mode: config.mode,
      roots: config.roots.map((r) => r.name), confinement: host.descriptorLocations() ? 'descriptor' : 'path',
    },
  });
  const sandbox = grants.findings.map((f) => `${f.kind}: ${f.flag}`);
  if (sandbox.length > 0) audit.write({ event: 'sandbox', outcome: 'info', detail: sandbox });
  const guards = [...findings, ...opened].map((f) => `${f.level}: ${f.message}`);
  if (guards.length > 0) audit.write({ event: 'guard', outcome: 'info', detail: guards });
  return audit;
}
