// The start-up self-audit: asks the runtime what its sandbox grants and compares it with what the config
// needs (docs/running-locked-down.md, "The start-up self-audit"). Production refuses a broader grant,
// development warns; `docwarden check` prints the same findings.
import { auditGrants, neededGrants, probePlan, startupMessage, verdict } from './grant_check.ts';
import type { Config } from './schema.ts';
import type { Host } from '../runtime/host.ts';
import type { GrantSnapshot, ProbePlan } from '../runtime/permissions.ts';

export type GrantAudit = ReturnType<typeof selfAudit>;

export function selfAudit(host: Host, config: Config, probe: (p: ProbePlan) => GrantSnapshot, bundle: string | null) {
  const need = neededGrants(config, bundle);
  const snapshot = probe(probePlan(need, host.path, host.homeDir()));
  const findings = auditGrants(snapshot, need, host.path);
  const v = verdict(findings, config.mode);
  return {
    verdict: v,
    findings,
    message: v === 'ok' ? '' : startupMessage(snapshot, need, findings, v), // for stderr at start-up
    snapshot, need, // for `docwarden check`'s report
  };
}
