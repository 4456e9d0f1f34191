// Command-line parsing: a closed set of flags and subcommands; anything else is an error that names it.
import { LAUNCH_CLIENTS, type LaunchClient, type LaunchRequest, type LaunchRuntime } from './launch.ts';
import type { ReceiptCheck } from './verify_log.ts';

type LaunchOptions = Omit<LaunchRequest, 'rootsGiven' | 'logGiven'>;
const LAUNCH_FLAGS: readonly string[] = ['--runtime', '--client', '--node-version', '--command'];

export type Command =
  | { readonly kind: 'serve' }
  | { readonly kind: 'check' }
  | { readonly kind: 'call'; readonly tool: string; readonly json: string }
  | { readonly kind: 'verify-log'; readonly file: string; readonly receipt: ReceiptCheck | null }
  | { readonly kind: 'launch'; readonly launch: LaunchOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

export class UsageError extends Error {}

export const USAGE = `Usage: docwarden [command] [options]

Serves documentation folders read-only to an MCP client over stdio.

Commands:
  (none)              Run the MCP server on stdin/stdout
  check               Validate the config, print the effective policy, count what each root exposes and hides
  call TOOL JSON      Run one tool call and print what the model would see, e.g.
                      docwarden call search_docs '{"query":"install"}' --config config.dev.json
  verify-log FILE     Check the audit log's hash chain (and its rotated files FILE.1, FILE.2, ...);
                      exit 1 at the first broken or missing record. With --receipt PID:SEQ --file DOC:
                      check that record's read receipt against DOC (exit 3 when DOC changed since)
  launch              Print the least-privilege launch line for this config, or a client's snippet:
                      --runtime deno|node (default: the running one)
                      --client claude-desktop|claude-code|vscode|cursor (default: a plain command line)
                      --node-version X (picks --experimental-permission or --permission; default: running Node)
                      --command PATH (the runtime binary to name; default: the running one when it matches)

Options:
  --config FILE       JSON config (see README); without it the strict production defaults apply
  --root DIR          A documentation root (repeatable); replaces the config's roots
  -- DIR...           Every argument after -- is a root too (as if each had --root)
  --log FILE          Audit log file (JSONL), or "stderr"; overrides audit.path
  --help              Show this help
  --version           Print the version and the SHA-256 of this file
`;

const usage = (why: string) => new UsageError(`Cannot parse arguments: ${why}`);
const shown = (arg: string) => JSON.stringify(arg.slice(0, 40));

/** The command and the options every command shares (--config, --root and --, --log). */
export function parseArgs(argv: readonly string[]) {
  let command: Command = { kind: 'serve' };
  let configPath: string | null = null;
  let logPath: string | null = null;
  const rootArgs: string[] = [];
  const positional: string[] = [];
  const launchFlags: [string, string][] = [];
  const receiptFlags = new Map<string, string>(); // verify-log's --receipt and --file
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (flag: string): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw usage(`${flag} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') command = { kind: 'help' };
    else if (arg === '--version' || arg === '-v') command = { kind: 'version' };
    else if (arg === '--config') configPath = value(arg);
    else if (arg === '--root') rootArgs.push(value(arg));
    else if (arg === '--log') logPath = value(arg);
    else if (LAUNCH_FLAGS.includes(arg)) launchFlags.push([arg, value(arg)]);
    else if (arg === '--receipt' || arg === '--file') receiptFlags.set(arg, value(arg));
    // After "--" every argument is a root: a client expands a list of folders (.mcpb) into separate arguments.
    else if (arg === '--') {
      rootArgs.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('--') && arg.includes('=')) {
      const eq = arg.indexOf('=');
      argv = [...argv.slice(0, i), arg.slice(0, eq), arg.slice(eq + 1), ...argv.slice(i + 1)];
      i--;
    } else if (arg.startsWith('-')) throw usage(`unknown option ${shown(arg)}; see --help`);
    else positional.push(arg);
  }
  if (command.kind === 'serve' && positional.length > 0) {
    const [sub = '', ...rest] = positional;
    const [first = '', second = ''] = rest;
    if (sub === 'check' && rest.length === 0) command = { kind: 'check' };
    else if (sub === 'call') {
      if (rest.length !== 2) throw usage(`call needs exactly TOOL and JSON, e.g. call read_doc '{"path":"README.md"}'`);
      command = { kind: 'call', tool: first, json: second };
    } else if (sub === 'verify-log') {
      if (rest.length !== 1) throw usage('verify-log needs exactly one FILE, e.g. verify-log .docwarden/audit.jsonl');
      command = { kind: 'verify-log', file: first, receipt: readReceipt(receiptFlags) };
    } else if (sub === 'launch' && rest.length === 0) {
      const launch = readLaunchOptions(launchFlags);
      if (typeof launch === 'string') throw usage(launch);
      command = { kind: 'launch', launch };
    } else throw usage(`unknown command ${shown(sub)}; see --help`);
  }
  if (launchFlags.length > 0 && command.kind !== 'launch' && command.kind !== 'help') {
    throw usage(`${launchFlags[0]?.[0]} is an option of the launch command; see --help`);
  }
  if (receiptFlags.size > 0 && command.kind !== 'verify-log' && command.kind !== 'help') {
    throw usage(`${[...receiptFlags.keys()][0]} is an option of verify-log; see --help`);
  }
  return { command, configPath, rootArgs, logPath };
}

/** verify-log's `--receipt PID:SEQ --file DOC`: both or neither. */
function readReceipt(flags: ReadonlyMap<string, string>): ReceiptCheck | null {
  const [at, doc] = [flags.get('--receipt'), flags.get('--file')];
  const m = /^([0-9]{1,10}):([0-9]{1,15})$/.exec(at ?? '');
  if (m && doc !== undefined) return { pid: Number(m[1]), seq: Number(m[2]), doc };
  if (at === undefined && doc === undefined) return null;
  const got = at === undefined ? 'no --receipt' : doc === undefined ? 'no --file' : `--receipt ${shown(at)}`;
  throw usage('verify-log checks a receipt with --receipt PID:SEQ (the "pid" and "seq" of its record, e.g. 4711:12) ' +
    `and --file DOC together; got ${got}`);
}

/** Reads the launch flags; returns the reason as a string when a value is not allowed. */
function readLaunchOptions(flags: readonly (readonly [string, string])[]): LaunchOptions | string {
  let runtime: LaunchRuntime | null = null;
  let client: LaunchClient | null = null;
  let nodeVersion: string | null = null;
  let command: string | null = null;
  for (const [flag, value] of flags) {
    const got = `(got ${shown(value)})`;
    if (flag === '--runtime') {
      if (value !== 'deno' && value !== 'node') return `--runtime must be deno or node ${got}`;
      runtime = value;
    } else if (flag === '--client') {
      const found = LAUNCH_CLIENTS.find((c) => c === value);
      if (found === undefined) return `--client must be one of ${LAUNCH_CLIENTS.join(', ')} ${got}`;
      client = found;
    } else if (flag === '--node-version') {
      if (!/^v?\d+(\.\d+){0,2}$/.test(value)) return `--node-version must look like 20, 22.13 or 24.11.1 ${got}`;
      nodeVersion = value;
    } else command = value;
  }
  if (nodeVersion !== null && runtime === 'deno') return '--node-version applies to --runtime node only';
  return { runtime, client, nodeVersion, command };
}
