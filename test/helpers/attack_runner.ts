// Runs the attack table against ONE server per config: starts it on the hostile world, learns how it
// answers a missing file, then sends every case (with a ping after each) and collects what went wrong.
import type { ConfigName, Spelling, Target } from './attack_cases.ts';
import type { EntryPoint, Known } from './attack_entry.ts';
import { CASE_HANG_GUARD_MS, leaks, rawControls, runCase, type Sent, textOf } from './attack_judge.ts';
import { type Client, type Json, type Message, startReady } from './harness.ts';
import { type HostileWorld, WALK_ENTRIES } from './hostile_fixture.ts';

export type Session = { readonly c: Client; readonly known: Known; cases: number };

export function worldConfig(w: HostileWorld, cfg: ConfigName): Json {
  return {
    roots: [{ name: 'docs', path: w.root }, { name: 'bulk', path: w.bulk }, { name: 'wide', path: w.wide }],
    limits: { callsPerMinute: 0, walkEntries: WALK_ENTRIES },
    files: { symlinks: cfg === 'within' ? 'within-root' : 'deny' },
  };
}

export async function startSession(w: HostileWorld, cfg: ConfigName): Promise<Session> {
  const c = await startReady({ config: worldConfig(w, cfg), extraRead: w.extraRead });
  const missing: Record<string, string> = {};
  for (const tool of ['read_doc', 'doc_info', 'outline_doc'])
    missing[tool] = textOf(await c.request('tools/call', { name: tool, arguments: { path: 'no-such-file.md' } }));
  missing['list_docs'] = textOf(
    await c.request('tools/call', { name: 'list_docs', arguments: { path: 'no-such-folder' } }),
  );
  missing['resources/read'] =
    (await c.request('resources/read', { uri: 'docs://docs/no-such-file.md' })).error?.message ?? '(no error)';
  return { c, known: { world: w, cfg, missing }, cases: 0 };
}

/** A hand-written case: a request and its own judge. */
export type CustomCase = { readonly label: string; readonly sent: Sent; readonly judge: (m: Message) => string | null };

/** Runs one case, returning its problems (empty when it held). Throws if the server stops answering. */
export async function runOne(
  s: Session,
  label: string,
  sent: Sent,
  judge: (m: Message) => string | null,
): Promise<string[]> {
  s.cases++;
  let result;
  try {
    result = await runCase(s.c, sent);
  } catch (err) {
    throw new Error(`${label}: no answer within ${CASE_HANG_GUARD_MS} ms (${(err as Error).message.slice(0, 200)})`);
  }
  const problems: string[] = [];
  const verdict = judge(result.reply);
  if (verdict !== null) problems.push(verdict);
  if (sent.method === 'tools/call') {
    const raw = rawControls(result.reply, sent.params);
    if (raw !== null) problems.push(raw);
  }
  const auditDir = s.c.auditPath === null ? [] : [s.c.auditPath.slice(0, s.c.auditPath.lastIndexOf('/'))];
  problems.push(...leaks(s.known.world, result.raw, JSON.stringify(sent), auditDir));
  return problems.map((p) => `${label}: ${p}`);
}

/** Every spelling through one entry point. */
export async function runSpellings(s: Session, entry: EntryPoint, spellings: readonly Spelling[]): Promise<string[]> {
  const problems: string[] = [];
  for (const sp of spellings) {
    const label = `${entry.name} ${describe(sp.target)}`;
    const outcome = sp.outcome(s.known.cfg);
    problems.push(
      ...(await runOne(s, label, entry.build(sp.target, s.known), (m) => entry.judge(m, outcome, sp.target, s.known))),
    );
  }
  return problems;
}

export async function runCustom(s: Session, cases: readonly CustomCase[]): Promise<string[]> {
  const problems: string[] = [];
  for (const k of cases) problems.push(...(await runOne(s, k.label, k.sent, k.judge)));
  return problems;
}

export function describe(t: Target): string {
  return (t.root === undefined ? '' : `root=${JSON.stringify(t.root)} `) +
    JSON.stringify(t.path.length > 80 ? t.path.slice(0, 77) + '...' : t.path);
}

/** Fails with every problem listed (one line each), or passes. */
export function report(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${problems.length} case(s) failed:\n${problems.slice(0, 60).join('\n')}`);
}
