// Runtime detection: Deno first, because Deno also provides a `process` global (unjs/std-env).
export type RuntimeInfo = { readonly name: 'node' | 'deno'; readonly version: string };

type DenoGlobal = { readonly version?: { readonly deno?: string } };

export function detectRuntime(): RuntimeInfo {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (deno?.version?.deno) return { name: 'deno', version: deno.version.deno };
  return { name: 'node', version: process.versions.node };
}
