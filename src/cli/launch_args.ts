// The `launch` subcommand's own flags, read into a closed shape; anything else is refused by name.
import { LAUNCH_CLIENTS, type LaunchClient, type LaunchRuntime } from './launch.ts';

export const LAUNCH_FLAGS: readonly string[] = ['--runtime', '--client', '--node-version', '--command'];

export type LaunchOptions = {
  readonly runtime: LaunchRuntime | null;
  readonly client: LaunchClient | null;
  readonly nodeVersion: string | null;
  readonly command: string | null;
};

export const LAUNCH_USAGE = `  launch              Print the least-privilege launch line for this config, or a client's snippet:
                      --runtime deno|node (default: the running one)
                      --client claude-desktop|claude-code|vscode|cursor (default: a plain command line)
                      --node-version X (picks --experimental-permission or --permission; default: running Node)
                      --command PATH (the runtime binary to name; default: the running one when it matches)
`;

/** Reads the launch flags; returns the reason as a string when a value is not allowed. */
export function readLaunchOptions(flags: readonly (readonly [string, string])[]): LaunchOptions | string {
  let runtime: LaunchRuntime | null = null;
  let client: LaunchClient | null = null;
  let nodeVersion: string | null = null;
  let command: string | null = null;
  for (const [flag, value] of flags) {
    if (flag === '--runtime') {
      if (value !== 'deno' && value !== 'node') return `--runtime must be deno or node (got ${JSON.stringify(value.slice(0, 40))})`;
      runtime = value;
    } else if (flag === '--client') {
      const found = LAUNCH_CLIENTS.find((c) => c === value);
      if (found === undefined) return `--client must be one of ${LAUNCH_CLIENTS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))})`;
      client = found;
    } else if (flag === '--node-version') {
      if (!/^v?\d+(\.\d+){0,2}$/.test(value)) return `--node-version must look like 20, 22.13 or 24.11.1 (got ${JSON.stringify(value.slice(0, 40))})`;
      nodeVersion = value;
    } else command = value;
  }
  if (nodeVersion !== null && runtime === 'deno') return '--node-version applies to --runtime node only';
  return { runtime, client, nodeVersion, command };
}
