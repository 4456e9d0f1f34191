// `docwarden check`: validates the config, prints the effective policy, and counts per root what the
// rules expose and what they hide (by rule and deny pattern, never file contents).
import type { Config } from '../config/load.ts';
import type { Root } from '../policy/resolver.ts';
import { compileGlob } from '../policy/glob.ts';
import { createPathRules, extensionAllowed, foldName, segmentAllowed } from '../policy/path_rules.ts';
import { writableByOthers } from '../policy/resolver.ts';
import type { Host } from '../runtime/host.ts';

export type RootCensus = {
  readonly files: number;
  readonly folders: number;
  readonly hidden: Readonly<Record<string, number>>;
  readonly truncated: boolean;
  /** Folders (root-relative, "." the root) that users other than the root's owner can write. */
  readonly writable: readonly string[];
};

const MAX_VISITS = 1_000_000;

export async function census(host: Host, config: Config, root: Root): Promise<RootCensus> {
  const rules = createPathRules(config.files.extensions, config.files.deny, config.files.hidden);
  const patterns = config.files.deny.map((p) => ({ p, g: compileGlob(foldName(p), { caseInsensitive: true }) }));
  const owner = (await host.lstat(root.path)).uid;
  const writable: string[] = writableByOthers(await host.lstat(root.path), owner) ? ['.'] : [];
  const hidden: Record<string, number> = {};
  const bump = (k: string) => void (hidden[k] = (hidden[k] ?? 0) + 1);
  let files = 0;
  let folders = 0;
  let visits = 0;
  async function visit(dir: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await host.readdir(dir);
    } catch {
      return bump('unreadable folder');
    }
    for (const e of entries) {
      if (++visits > MAX_VISITS) return;
      const deny = patterns.find((x) => x.g.matches(foldName(e.name)));
      if (deny) { bump(`deny pattern ${deny.p}`); continue; }
      if (!segmentAllowed(rules, e.name)) { bump(e.name.startsWith('.') ? 'dot-file or dot-folder' : 'unsafe name'); continue; }
      const abs = host.path.join(dir, e.name);
      const st = await host.lstat(abs).catch(() => null);
      if (st === null) continue;
      if (st.kind === 'symlink') { if (config.files.symlinks === 'deny') bump('symlink'); continue; }
      if (st.kind === 'dir') {
        folders++;
        if (writableByOthers(st, owner)) writable.push(host.path.relative(root.path, abs).split(host.path.sep).join('/'));
        if (depth < config.limits.depth) await visit(abs, depth + 1);
        else bump('deeper than limits.depth');
        continue;
      }
      if (st.kind !== 'file') { bump(`special file (${st.kind})`); continue; }
      if (!extensionAllowed(rules, e.name)) { bump('extension not allowed'); continue; }
      if (st.nlink > 1 && !config.files.hardLinks) { bump('hard link'); continue; }
      if (st.size > config.files.maxFileBytes) bump('larger than files.maxFileBytes (listed, not readable)');
      files++;
    }
  }
  await visit(root.path, 1);
  return { files, folders, hidden, truncated: visits > MAX_VISITS, writable };
}

export async function runCheck(host: Host, config: Config): Promise<string> {
  const out: string[] = [];
  out.push(`docwarden check: config ${config.source ?? '(built-in production defaults)'} is valid`);
  out.push(`mode: ${config.mode}`);
  out.push(`audit log: ${config.audit.path}`);
  out.push(`files: extensions ${config.files.extensions.join(', ')}; symlinks ${config.files.symlinks}; hard links ${config.files.hardLinks ? 'allowed' : 'refused'}; hidden ${config.files.hidden ? 'served' : 'refused'}; binary ${config.files.binary}; max ${config.files.maxFileBytes} bytes`);
  out.push(`deny patterns (${config.files.deny.length}): ${config.files.deny.join(' ')}`);
  const c = config.confirm;
  out.push(`consent needed for: ${c.paths.length > 0 ? c.paths.join(' ') : '(no paths)'}${c.largerThan > 0 ? `; files over ${c.largerThan} bytes` : ''}; answer timeout ${c.timeoutMs} ms`);
  out.push(`limits: ${Object.entries(config.limits).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const root of config.roots) {
    const c = await census(host, config, root);
    out.push(`root "${root.name}" = ${root.path}: exposes ${c.files} documents in ${c.folders} folders${c.truncated ? ' (count stopped early)' : ''}`);
    const hiddenTotal = Object.values(c.hidden).reduce((a, b) => a + b, 0);
    out.push(`  hidden: ${hiddenTotal}`);
    for (const [k, v] of Object.entries(c.hidden).sort()) out.push(`    ${v}  ${k}`);
    if (c.writable.length > 0 && !host.descriptorLocations()) {
      out.push(`  writable by other users (${config.mode === 'production' ? 'refused' : 'served'} under path-based confinement ` +
        `unless files.writableFolders names them): ${c.writable.join(', ')}`);
    }
  }
  return out.join('\n') + '\n';
}
