// `docwarden launch`: prints the least-privilege launch line for a config, or a client's config snippet, so
// that running locked down is the easy way (docs/running-locked-down.md, "Get the line for your config"). The
// test harness builds its runtimes from these functions, so the lines printed here are the lines the
// end-to-end suite runs.
import { DESCRIPTOR_LINKS, neededGrants, nodePermissionFlag, type Need } from '../config/grant_check.ts';
import { checkLocations, checkOpenLog, type GuardFinding } from '../config/guard_rails.ts';
import type { Config } from '../config/load.ts';
import type { Host } from '../runtime/host.ts';
import type { LaunchFacts } from '../runtime/launch_facts.ts';

export type LaunchRuntime = 'deno' | 'node';
export type LaunchClient = 'claude-desktop' | 'claude-code' | 'vscode' | 'cursor';
export const LAUNCH_CLIENTS: readonly LaunchClient[] = ['claude-desktop', 'claude-code', 'vscode', 'cursor'];

export type LaunchLine = { readonly command: string; readonly args: readonly string[] };

export class LaunchError extends Error {}
const cannot = (why: string, line = 'launch line') => new LaunchError(`Cannot print the ${line}: ${why}`);

// What each deno flag is for is in docs/running-locked-down.md; every permission not listed stays off.
const DENO_LOCKDOWN = ['--deny-net', '--deny-run', '--deny-ffi', '--deny-env', '--deny-sys', '--deny-import'];
const DENO_HYGIENE = ['--no-prompt', '--no-config', '--no-remote', '--no-npm'];

/** The oldest Node with a permission model: 20.0 (`--experimental-permission`). */
export function checkNodeVersion(version: string): string {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version);
  const shown = JSON.stringify(version.slice(0, 40));
  if (m === null) throw cannot(`--node-version ${shown} is not a version like 20, 22.13 or 24.11.1`);
  if (Number(m[1]) < 20) throw cannot(`Node ${m[1]} has no permission model; use Node 20 or later`);
  return version.replace(/^v/, '');
}

/** Under --experimental-permission Node warns at every start; 20.11 and 21.3 added the flag that silences it. */
function quietExperimental(version: string): string[] {
  const [major = 0, minor = 0] = version.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const since = major * 100 + minor >= (major === 20 ? 2011 : 2103);
  return since && nodePermissionFlag(version) !== '--permission' ? ['--disable-warning=ExperimentalWarning'] : [];
}

/**
 * The runtime's own flags that grant exactly `need` and nothing else; on Linux, Node also gets its
 * descriptor links (DESCRIPTOR_LINKS), which make the confinement check race-free.
 */
export function runtimeArgs(runtime: LaunchRuntime, nodeVersion: string, need: Need, platform: string): string[] {
  if (runtime === 'node') {
    const wild = [...need.read, ...need.write].find((p) => p.includes('*'));
    const why = 'Node reads as a wildcard (a prefix: it would grant siblings too); rename it or use --runtime deno';
    if (wild !== undefined) throw cannot(`${JSON.stringify(wild)} contains "*", which ${why}`, 'Node launch line');
    // One flag per path: Node 20.20 and 24 read a comma as part of the path, not as a separator.
    const version = checkNodeVersion(nodeVersion);
    const read = [...need.read, ...(platform === 'linux' ? [DESCRIPTOR_LINKS] : [])].map((p) => `--allow-fs-read=${p}`);
    const write = need.write.map((p) => `--allow-fs-write=${p}`);
    return [nodePermissionFlag(version), ...quietExperimental(version), ...read, ...write];
  }
  const comma = [...need.read, ...need.write].find((p) => p.includes(','));
  const why = 'deno\'s --allow-read list cannot express; rename it or use --runtime node';
  if (comma !== undefined) throw cannot(`${JSON.stringify(comma)} contains a comma, which ${why}`, 'deno launch line');
  const write = need.write.length > 0 ? [`--allow-write=${need.write.join(',')}`] : [];
  return ['run', ...DENO_HYGIENE, `--allow-read=${need.read.join(',')}`, ...write, ...DENO_LOCKDOWN];
}

export function launchLine(
  runtime: LaunchRuntime, command: string, nodeVersion: string, need: Need, bundle: string,
  serverArgs: readonly string[], platform: string,
): LaunchLine {
  return { command, args: [...runtimeArgs(runtime, nodeVersion, need, platform), bundle, ...serverArgs] };
}

const SHELL_SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** POSIX shell quoting: single quotes, an embedded quote as '\''. */
export function shellQuote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** One client's text: JSON for config files (JSON.stringify escapes Windows backslashes), a shell line for CLIs. */
export function renderLaunch(client: LaunchClient | null, name: string, line: LaunchLine): string {
  const entry = { command: line.command, args: [...line.args] };
  switch (client) {
    case null: return shellLine([line.command, ...line.args]);
    case 'claude-code': return shellLine(['claude', 'mcp', 'add', name, '--', line.command, ...line.args]);
    case 'vscode': return JSON.stringify({ servers: { [name]: { type: 'stdio', ...entry } } }, null, 2);
    case 'claude-desktop':
    case 'cursor': return JSON.stringify({ mcpServers: { [name]: entry } }, null, 2);
  }
}

const WHERE: Readonly<Record<LaunchClient | 'none', string>> = {
  'claude-desktop': 'Merge this into claude_desktop_config.json ("mcpServers"), then restart Claude Desktop.',
  'claude-code': 'Run this command once; `claude mcp list` shows the server.',
  vscode: 'Merge this into .vscode/mcp.json ("servers") of your workspace.',
  cursor: 'Merge this into ~/.cursor/mcp.json or .cursor/mcp.json ("mcpServers").',
  none: 'Any MCP client that starts a command over stdio can use this line.',
};

const NODE_UNRESTRICTED = 'Node cannot restrict environment variables, nor the network before Node 25: docwarden ' +
  'reads none and has no network code (docs/running-locked-down.md).';

/** What the operator asked for (`docwarden launch …`); null means "the default". */
export type LaunchRequest = {
  readonly runtime: LaunchRuntime | null;
  readonly client: LaunchClient | null;
  readonly nodeVersion: string | null;
  readonly command: string | null;
  /** --root and --log given on the launch command line are passed on to the server. */
  readonly rootsGiven: boolean;
  readonly logGiven: boolean;
};

export function serverArgsFor(config: Config, req: Pick<LaunchRequest, 'rootsGiven' | 'logGiven'>): string[] {
  return [
    ...(config.source === null ? [] : ['--config', config.source]),
    // The configured spelling, so the server derives the same root names as here.
    ...(req.rootsGiven ? config.roots.flatMap((r) => ['--root', r.configured]) : []),
    ...(req.logGiven ? ['--log', config.audit.path] : []),
  ];
}

/** What the server typed at a terminal prints: a client entry with this run's real paths, ready to paste. */
export function terminalHint(facts: LaunchFacts, config: Config, given: Parameters<typeof serverArgsFor>[1]): string {
  const locked = '`docwarden launch --client claude-desktop` (or claude-code, vscode, cursor) prints it locked down';
  if (facts.bundle === null || facts.runtime !== 'node') return `Add it to your MCP client's config; ${locked}.`;
  const line = { command: facts.execPath ?? 'node', args: [facts.bundle, ...serverArgsFor(config, given)] };
  const show = (client: LaunchClient) => renderLaunch(client, 'docwarden', line);
  return `For Claude Desktop or Cursor, merge this into their config ("mcpServers"):\n${show('claude-desktop')}\n` +
    `For Claude Code: ${show('claude-code')}\n${locked}.`;
}

function pickNodeVersion(req: LaunchRequest, facts: LaunchFacts): string {
  if (req.nodeVersion !== null) return req.nodeVersion;
  if (facts.runtime === 'node') return facts.version;
  throw cannot('pass --node-version (e.g. 22.13) when running under deno', 'Node launch line');
}

/** The running binary's absolute path when it is the runtime asked for (clients often lack the user's PATH). */
function pickCommand(req: LaunchRequest, runtime: LaunchRuntime, facts: LaunchFacts): string {
  if (req.command !== null) return req.command;
  const same = runtime === facts.runtime &&
    (runtime === 'deno' || req.nodeVersion === null || checkNodeVersion(req.nodeVersion) === facts.version);
  return same && facts.execPath !== null ? facts.execPath : runtime;
}

/**
 * The server's own start-up guard rails (src/config/guard_rails.ts), run by the operator without a sandbox. Under the
 * printed line the server cannot read the modes of the folders above its roots, config and log (outside its grants),
 * so it could only note them (docs/security.md, "Start-up guard rails"); the log file's mode it checks itself.
 */
export async function operatorGuards(host: Host, config: Config): Promise<GuardFinding[]> {
  const log = config.audit.path === 'stderr' ? null : await host.stat(config.audit.path).catch(() => null);
  const found = [...await checkLocations(host, config), ...checkOpenLog(config, log, host.uid())];
  return [...new Map(found.map((f) => [f.message, f])).values()]; // the log's owner is judged by both: said once
}

/** No line for a config that production refuses: the server it starts could not see every reason itself. */
async function guardNotes(host: Host, config: Config): Promise<string[]> {
  const findings = await operatorGuards(host, config);
  const refused = findings.filter((f) => f.level === 'refuse').map((f) => `\n  ${f.message}`);
  // The log's folder is missing, so the folder it would go in was judged: creating it owner-only is the usual fix
  // (in /tmp, a chmod o-w would break every other user).
  const folder = host.path.dirname(config.audit.path);
  if (refused.some((r) => r.includes('the folder that will hold the audit log folder'))) {
    const mkdir = `mkdir -p -m 700 ${shellQuote(folder)}`;
    refused.push(`\n  or create the audit log's folder first, writable by you only: ${mkdir} (enough in a sticky ` +
      'folder such as /tmp, where no one else can rename it)');
  }
  const why = 'production mode refuses this (locked down by this line, the server could not see it to refuse)';
  if (refused.length > 0) throw cannot(`${why}:${refused.join('')}`);
  return findings.map((f) => `${f.level === 'warn' ? 'warning' : 'note'}: ${f.message}`);
}

export async function runLaunch(
  host: Host, config: Config, req: LaunchRequest, facts: LaunchFacts,
): Promise<{ stdout: string; notes: string }> {
  if (facts.bundle === null) throw cannot('the path of the running docwarden.js is unknown');
  const guards = await guardNotes(host, config);
  const runtime = req.runtime ?? facts.runtime;
  const nodeVersion = runtime === 'node' ? pickNodeVersion(req, facts) : '';
  const need = neededGrants(config, facts.bundle);
  const command = pickCommand(req, runtime, facts);
  const line = launchLine(runtime, command, nodeVersion, need, facts.bundle, serverArgsFor(config, req), host.platform);
  const notes = [WHERE[req.client ?? 'none']];
  const missing = command === runtime && facts.onPath(command) === false;
  if (missing) notes.push(`"${command}" is not on PATH, so no client can start it: install it or pass --command PATH`);
  const log = need.write[0];
  if (log !== undefined) {
    const folder = host.path.dirname(log);
    const st = await host.stat(folder).catch(() => null);
    // The sandbox grants the log file only, so the server cannot create its folder itself.
    if (st?.kind !== 'dir') notes.push(`Create the audit log's folder first: mkdir -p -m 700 ${shellQuote(folder)}`);
  }
  if (runtime === 'node') notes.push(NODE_UNRESTRICTED);
  notes.push(...guards);
  const stdout = `${renderLaunch(req.client, 'docwarden', line)}\n`;
  return { stdout, notes: notes.map((n) => `docwarden launch: ${n}\n`).join('') };
}
