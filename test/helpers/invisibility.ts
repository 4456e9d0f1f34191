// "Denied files are invisible": registers tests (for one running session) proving that no secret,
// link, hard link, FIFO, control-character name or outside file ever shows up in list_docs, find_docs,
// search_docs hits (a literal search for each canary), resources/list or completions.
import { test } from 'node:test';
import type { ConfigName, Spelling } from './attack_cases.ts';
import { completion, visibleDirs, visibleFiles } from './attack_entry.ts';
import { brief, toolResult } from './attack_judge.ts';
import { report, runOne, runSpellings, type Session } from './attack_runner.ts';
import { readDocPage } from './e2e_fixtures.ts';
import type { Json, Message } from './harness.ts';

/** Every family name a canary of hostile_fixture.ts carries. */
export const CANARY_FAMILIES = [
  'parent',
  'sibling',
  'outside',
  'outside-hard',
  'etc',
  'env',
  'git',
  'key',
  'npmrc',
  'netrc',
  'creds',
  'secrets',
  'hidden',
  'ssh',
  'ext',
  'ctrlname',
  'nfd',
];

const sorted = (xs: Iterable<string>) => [...xs].sort();

function same(label: string, got: readonly string[], want: readonly string[]): string | null {
  return JSON.stringify(sorted(got)) === JSON.stringify(sorted(want))
    ? null
    : `${label}: got ${JSON.stringify(sorted(got))}, want ${JSON.stringify(sorted(want))}`;
}

function structured(m: Message): Json | null {
  const r = toolResult(m);
  return r === null || r.isError === true
    ? null
    : (readDocPage({ ...r, content: r.content ?? [] }) ?? r.structuredContent ?? null);
}

function noHits(m: Message): string | null {
  const sc = structured(m);
  if (sc === null) return `search failed: ${brief(m)}`;
  return (sc['hits'] as unknown[]).length === 0 ? null : `hits: ${brief(m)}`;
}

export function invisibilityTests(session: () => Session, cfg: ConfigName): void {
  test(`invisible (${cfg}): list_docs of each root shows exactly the servable documents and folders`, async () => {
    const s = session();
    const problems: string[] = [];
    for (const root of ['docs', 'bulk']) {
      problems.push(
        ...(await runOne(s, `list_docs ${root}`, {
          method: 'tools/call',
          params: { name: 'list_docs', arguments: { root, depth: 16, limit: 500 } },
        }, (m) => {
          const sc = structured(m);
          if (sc === null) return `listing failed: ${brief(m)}`;
          const entries = sc['entries'] as Json[];
          return same('entries', entries.map((e) => String(e['path'])), [
            ...visibleFiles(root, cfg),
            ...visibleDirs(root),
          ]);
        })),
      );
    }
    report(problems);
  });

  test(`invisible (${cfg}): find_docs "**/*" matches exactly the servable documents`, async () => {
    const s = session();
    report(
      await runOne(s, 'find_docs **/*', {
        method: 'tools/call',
        params: { name: 'find_docs', arguments: { pattern: '**/*', limit: 500 } },
      }, (m) => {
        const sc = structured(m);
        return sc === null
          ? `find failed: ${brief(m)}`
          : same('matches', (sc['matches'] as Json[]).map((e) => String(e['path'])), [...visibleFiles('docs', cfg)]);
      }),
    );
  });

  test(`invisible (${cfg}): search_docs finds no canary, literally, by regex or by words, in any root`, async () => {
    const s = session();
    const token = s.known.world.token;
    const problems: string[] = [];
    const search = async (label: string, args: Json) =>
      problems.push(
        ...(await runOne(s, label, {
          method: 'tools/call',
          params: { name: 'search_docs', arguments: { limit: 50, ...args } },
        }, noHits)),
      );
    for (const family of CANARY_FAMILIES) {
      // The query leaves out the marker's "QZCANARY" head, so the request itself never carries a canary.
      await search(`search literal ${family}`, { query: `${token}-${family}`, mode: 'literal' });
    }
    for (const root of ['docs', 'bulk']) {
      await search(`search regex ${root}`, { root, query: `CANARY${token}`, mode: 'regex' });
      await search(`search literal ${root}`, { root, query: token, mode: 'literal', caseSensitive: true });
    }
    await search('search words token', { query: token });
    report(problems);
  });

  test(`invisible (${cfg}): resources/list names exactly the servable documents`, async () => {
    const s = session();
    report(
      await runOne(s, 'resources/list', { method: 'resources/list' }, (m) => {
        const resources = (m.result?.['resources'] ?? []) as Json[];
        const of = (root: string) =>
          resources.map((r) => String(r['uri'])).filter((u) => u.startsWith(`docs://${root}/`)).map((u) =>
            decodeURIComponent(u.slice(`docs://${root}/`.length))
          );
        return same('docs', of('docs'), [...visibleFiles('docs', cfg)]) ??
          same('bulk', of('bulk'), [...visibleFiles('bulk', cfg)]);
      }),
    );
  });

  test(`invisible (${cfg}): completions suggest only servable names, whatever the prefix`, async () => {
    const s = session();
    const prefixes = [
      '',
      '.',
      '.e',
      '.g',
      '.n',
      'l',
      'link',
      'link-dir/',
      'link-sys-etc/',
      'pi',
      'ha',
      'sub/',
      'sub/.',
      'guide-alias/',
      'loopdir/',
      'proc-self/',
      'secrets/',
      '.git/',
      '.ssh/',
      'tls/',
      'c',
      'e',
      'n',
      'i',
      'p',
      's',
      'd',
      'b',
      'z',
      'r',
      'o',
      'g',
      'es',
      'de',
      'cr',
      'ta',
      'nl',
      '\u202e',
    ];
    const cases = prefixes.map((path): Spelling => ({
      family: 'secrets',
      target: { path },
      outcome: () => ({ kind: 'refused', generic: false }),
    }));
    report(await runSpellings(s, completion, cases));
  });
}
