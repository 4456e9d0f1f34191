// What `docwarden launch` and the terminal hint need to know about the running program: the bundle's path,
// the runtime binary and what is on PATH. Only src/main.ts imports it, for operator commands; the server
// never asks (it is outside the server path, docs/audit.md).
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { detectRuntime } from './detect.ts';
import { bundlePath, orNull } from './permissions.ts';

/** What `launch` needs to know about the running program: the bundle's path and the runtime binary. */
export type LaunchFacts = {
  readonly bundle: string | null;
  readonly runtime: 'deno' | 'node';
  readonly version: string;
  readonly execPath: string | null;
  /** Whether a program of that name is on PATH; null when PATH cannot be read (`launch` only, never the server). */
  readonly onPath: (name: string) => boolean | null;
};

function onPath(name: string): boolean | null {
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  // null when PATH or a folder on it cannot be read (Deno without environment or read access)
  return orNull(() => (process.env['PATH'] ?? '').split(nodePath.delimiter).filter(Boolean)
    .some((d) => fs.statSync(nodePath.join(d, file), { throwIfNoEntry: false })?.isFile() === true));
}

export function launchFacts(): LaunchFacts {
  const { name, version } = detectRuntime();
  const execPath = orNull(() => process.execPath || null);
  return { bundle: bundlePath(), runtime: name, version, execPath, onPath };
}
