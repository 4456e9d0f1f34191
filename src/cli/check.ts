// `docwarden check`: what the rules expose and hide under each root, by rule, and the config in force
// (the walk is src/config/census.ts, shared with the start-up census). It never names a file's content.
import type { Config } from '../config/load.ts';
import type { Root } from '../policy/resolver.ts';
import { walkRoot, type Entry, type Walk } from '../config/census.ts';
import { createPathRules, extensionAllowed, segmentAllowed } from '../policy/path_rules.ts';
import { consentRule } from '../policy/confirm.ts';
import type { GrantAudit } from '../config/self_audit.ts';
import { describeNeed, findingLines } from '../config/grant_check.ts';
import { operatorGuards } from './launch.ts';
import type { Host } from '../runtime/host.ts';

/** For `check`: what the rules expose, and every entry they hide, by rule. */
export async function census(host: Host, config: Config, root: Root) {
  const rules = createPathRules(config.files.extensions, config.files.deny, config.files.hidden);
  const hidden: Record<string, number> = {};
  const bump = (k: string, n = 1) => void (n > 0 && (hidden[k] = (hidden[k] ?? 0) + n));
  const hide = (why: string) => (bump(why), false);
  const found: Entry[] = [];
  const ruleFor = consentRule(config.confirm.paths); // every rule listed, 0 too: a rule that gates nothing shows
  const gated: Record<string, number> = Object.fromEntries(config.confirm.paths.map((p) => [`confirm.paths ${p}`, 0]));
  let folders = 0;
  const w = await walkRoot(host, config, root, true, null, (e) => {
    if (e.denied !== undefined) return hide(`deny pattern ${e.denied}`);
    if (!segmentAllowed(rules, e.name)) return hide(e.name.startsWith('.') ? 'dot-file or dot-folder' : 'unsafe name');
    if (e.kind === 'symlink') return config.files.symlinks === 'deny' && hide('symlink');
    if (e.kind !== 'dir') {
      found.push(e); // looked at (one stat each) once the walk is done
      return false;
    }
    folders++;
    if (e.deep) bump('deeper than limits.depth');
    return true;
  }) as Walk;
  bump('unreadable folder', w.unreadable);
  let files = 0;
  for (const e of found) {
    const st = await host.lstat(e.abs).catch(() => null);
    if (st === null) continue;
    if (st.kind !== 'file') bump(`special file (${st.kind})`);
    else if (!extensionAllowed(rules, e.name)) bump('extension not allowed');
    else if (st.nlink > 1 && !config.files.hardLinks) bump('hard link');
    else {
      if (st.size > config.files.maxFileBytes) bump('larger than files.maxFileBytes (listed, not readable)');
      const rule = ruleFor(e.rel);
      const over = config.confirm.largerThan > 0 && st.size > config.confirm.largerThan;
      const why = rule !== undefined ? `confirm.paths ${rule}` : over ? 'confirm.largerThan' : null;
      if (why !== null) gated[why] = (gated[why] ?? 0) + 1;
      files++;
    }
  }
  return { files, folders, hidden, gated, truncated: w.truncated, writable: w.writable };
}

export async function runCheck(host: Host, config: Config): Promise<string> {
  const f = config.files;
  const c = config.confirm;
  const out = [
    `docwarden check: config ${config.source ?? '(built-in production defaults)'} is valid`,
    `mode: ${config.mode}`,
    `audit log: ${config.audit.path}`,
    `files: extensions ${f.extensions.join(', ')}; symlinks ${f.symlinks}; ` +
      `hard links ${f.hardLinks ? 'allowed' : 'refused'}; hidden ${f.hidden ? 'served' : 'refused'}; ` +
      `binary ${f.binary}; max ${f.maxFileBytes} bytes`,
    `deny patterns (${f.deny.length}): ${f.deny.join(' ')}`,
    `consent needed for: ${c.paths.length > 0 ? c.paths.join(' ') : '(no paths)'}` +
      `${c.largerThan > 0 ? `; files over ${c.largerThan} bytes` : ''}; answer timeout ${c.timeoutMs} ms`,
    `limits: ${Object.entries(config.limits).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  ];
  for (const root of config.roots) {
    const r = await census(host, config, root);
    const early = r.truncated ? ' (count stopped early)' : '';
    out.push(`root "${root.name}" = ${root.path}: exposes ${r.files} documents in ${r.folders} folders${early}`);
    out.push(`  hidden: ${Object.values(r.hidden).reduce((a, b) => a + b, 0)}`);
    for (const [k, v] of Object.entries(r.hidden).sort()) out.push(`    ${v}  ${k}`);
    out.push(`  need consent: ${Object.values(r.gated).reduce((a, b) => a + b, 0)} (each by its first rule)`);
    for (const [k, v] of Object.entries(r.gated)) out.push(`    ${v}  ${k}`);
    if (r.writable.length > 0 && !host.descriptorLocations()) {
      const served = config.mode === 'production' ? 'refused' : 'served';
      out.push(`  writable by other users (${served} under path-based confinement ` +
        `unless files.writableFolders names them): ${r.writable.join(', ')}`);
    }
  }
  out.push(await guardReport(host, config));
  return out.join('\n') + '\n';
}

/** The start-up guard rails as the operator sees them, without a sandbox (what `launch` checks). */
async function guardReport(host: Host, config: Config): Promise<string> {
  const found = await operatorGuards(host, config);
  if (found.length === 0) return 'start-up guard rails: nothing to fix';
  const outcome = found.some((f) => f.level === 'refuse')
    ? 'the server refuses to start and `docwarden launch` prints no line (production mode)'
    : 'the server starts';
  return ['start-up guard rails:', ...found.map((f) => `  ${f.level}: ${f.message}`), `  ${outcome}`].join('\n');
}

/** The section `docwarden check` prints. */
export function grantReport({ snapshot: s, need, findings, verdict: v }: GrantAudit): string {
  const model = s.sandboxed ? '' : ', no permission model';
  const head = `runtime permissions (${s.runtime} ${s.version}${model}): ${describeNeed(need)}`;
  if (findings.length === 0) return `${head}\n  the grant matches this config: nothing to drop`;
  const outcome = v === 'refuse' ? 'the server refuses to start (production mode)' : 'the server starts with a warning';
  return [head, ...findingLines(findings).map((l) => `  ${l}`), `  ${outcome}`].join('\n');
}
