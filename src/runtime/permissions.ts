// Asks the running runtime what its sandbox grants (docs/running-locked-down.md, "The start-up self-audit"):
// Deno's permission query, Node's process.permission and the permission flags on Node's command line. It only
// answers the questions of a ProbePlan; src/config/grant_check.ts judges the answers against the config.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectRuntime } from './detect.ts';

/** Paths to ask about, beyond the global read and write questions. */
export type ProbePlan = { readonly read: readonly string[]; readonly write: readonly string[] };

export type Access = 'granted' | 'prompt' | 'denied';

export type GrantSnapshot = {
  readonly runtime: 'deno' | 'node';
  readonly version: string;
  /** False only for Node without its permission model: every permission of the user is granted. */
  readonly sandboxed: boolean;
  readonly readAll: boolean;
  readonly writeAll: boolean;
  /** The plan's paths that the runtime would let docwarden read, resp. write. */
  readonly read: readonly string[];
  readonly write: readonly string[];
  /** Non-file capabilities by the runtime's own name (Deno: net, run…; Node: child, worker…). */
  readonly capabilities: readonly { readonly name: string; readonly access: Access }[];
  /** The exact file grants when the runtime shows its flags (Node's execArgv), absolute; else null. */
  readonly listed: Readonly<Record<'read' | 'write' | 'flags', readonly string[]>> | null;
  /** Descriptors above 2 open to a folder before docwarden ran (Linux, Node): inherited. */
  readonly inherited: readonly number[];
};

type DenoStatus = { readonly state: string; readonly partial?: boolean };
type DenoPermissions = { querySync(descriptor: { name: string; path?: string }): DenoStatus };
type NodePermission = { has(scope: string, reference?: string): boolean };

export const DENO_CAPABILITIES: readonly string[] = 'net run ffi env sys import'.split(' ');
// The network scope exists from Node 25 on; older versions answer false for a scope they do not know.
export const NODE_CAPABILITIES: readonly string[] = 'child worker addon wasi inspector net'.split(' ');

function denoAccess(perms: DenoPermissions, name: string, path?: string): Access {
  // A partial grant (`--allow-read --deny-read=X`) still grants everything else; an unknown name throws.
  const state = orNull(() => perms.querySync(path === undefined ? { name } : { name, path }).state);
  return state === 'granted' ? 'granted' : state === 'denied' ? 'denied' : 'prompt';
}

function probeDeno(perms: DenoPermissions, version: string, plan: ProbePlan): GrantSnapshot {
  return {
    runtime: 'deno', version, sandboxed: true, readAll: denoAccess(perms, 'read') === 'granted',
    writeAll: denoAccess(perms, 'write') === 'granted',
    read: plan.read.filter((p) => denoAccess(perms, 'read', p) === 'granted'),
    write: plan.write.filter((p) => denoAccess(perms, 'write', p) === 'granted'),
    capabilities: DENO_CAPABILITIES.map((name) => ({ name, access: denoAccess(perms, name) })),
    listed: null, inherited: [], // these links are refused under this runtime whatever is granted
  };
}

/** `--allow-fs-read=X` and `--allow-fs-read X` from Node's own arguments, resolved like Node does. */
export function listedNodeGrants(args: readonly string[], cwd: string): Record<'read' | 'write' | 'flags', string[]> {
  const out = { read: [] as string[], write: [] as string[], flags: [...args] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    for (const [flag, into] of [['--allow-fs-read', out.read], ['--allow-fs-write', out.write]] as const) {
      let value: string | undefined;
      if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
      else if (arg === flag) value = args[++i];
      if (value === undefined || value === '') continue;
      into.push(value === '*' ? '*' : nodePath.resolve(cwd, value));
    }
  }
  return out;
}

/**
 * A folder open above fd 2 when docwarden starts was inherited (the runtime opens none before our code
 * runs): through /proc/self/fd/N everything below it is reachable past the sandbox (`exec 7</home/alice`).
 */
function inheritedDescriptors(): number[] {
  if (process.platform !== 'linux') return [];
  // Without a grant to list them, each number is asked; a closed one (or the listing's own) throws.
  const listing = orNull(() => fs.readdirSync('/proc/self/fd').map(Number));
  const fds = listing ?? Array.from({ length: 1021 }, (_, i) => i + 3);
  return fds.filter((fd) => fd > 2 && orNull(() => fs.fstatSync(fd).isDirectory()) === true).sort((a, b) => a - b);
}

function probeNode(version: string, plan: ProbePlan): GrantSnapshot {
  // Typed as always there, but undefined unless Node runs with its permission model.
  const permission: NodePermission | undefined = process.permission;
  // NODE_OPTIONS too: execArgv does not show it, and Node 20 answers has('addon') false even with the flag.
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((f) => f !== '')];
  const listed = listedNodeGrants(flags, process.cwd());
  if (permission === undefined) {
    const all = { readAll: true, writeAll: true, read: [...plan.read], write: [...plan.write], capabilities: [] };
    return { runtime: 'node', version, sandboxed: false, ...all, listed, inherited: [] };
  }
  const has = (scope: string, reference?: string): boolean => orNull(() => permission.has(scope, reference)) === true;
  return {
    runtime: 'node', version, sandboxed: true, readAll: has('fs.read'), writeAll: has('fs.write'),
    read: plan.read.filter((p) => has('fs.read', p)), write: plan.write.filter((p) => has('fs.write', p)),
    capabilities: NODE_CAPABILITIES.map((name) => ({ name, access: has(name) ? 'granted' : 'denied' })),
    listed, inherited: inheritedDescriptors(),
  };
}

export function probeGrants(plan: ProbePlan): GrantSnapshot {
  const runtime = detectRuntime();
  const deno = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno;
  if (runtime.name === 'deno' && deno?.permissions) return probeDeno(deno.permissions, runtime.version, plan);
  return probeNode(runtime.version, plan);
}

/** The value, or null when asking throws (a sandbox refused, a descriptor closed, a file unreadable). */
export function orNull<T>(ask: () => T): T | null {
  try { return ask(); } catch { return null; }
}

/** The running bundle's path (the self-audit checks that it is readable), null when unknown. */
export function bundlePath(): string | null {
  return orNull(() => fileURLToPath(import.meta.url));
}
