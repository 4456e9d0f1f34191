// Long-lived state one session shares across requests: the confinement, caches, rate limiter, and the
// client's roots (fetched with server-to-client requests in their own id space, narrowing only).
import type { Config } from '../config/schema.ts';
import { createDocumentCache } from '../document/document.ts';
import { createMemoryBudget } from '../sched/memory_budget.ts';
import { createSlicer } from '../sched/slice.ts';
import { isPlainObject, type RequestId } from '../jsonrpc/message.ts';
import { computeNarrowing, narrowingAllowsPath, visibleRoots, type Narrowing } from '../policy/client_roots.ts';
import { createPathRules } from '../policy/path_rules.ts';
import { createRateLimiter } from '../policy/rate_limit.ts';
import type { Confinement } from '../policy/resolver.ts';
import { compileGlob } from '../policy/glob.ts';
import type { Host } from '../runtime/host.ts';
import { createSearchCorpus, type CorpusEntry } from '../search/corpus.ts';
import { pathTokensOf } from '../search/word_rank.ts';
import { createToolTable } from '../tools/registry.ts';
import type { AuditLog } from '../audit/log.ts';
import {
  consentAnswer, consentForm, createConfirmPolicy, type ConsentAnswer, type ConsentRequest,
} from '../policy/confirm.ts';
import type { Notifier } from './notifier.ts';
import type { Features } from './versions.ts';

export type Services = ReturnType<typeof createServices>;

const ROOTS_TIMEOUT_MS = 5000;
const CONSENT_MEMORY_MS = 10 * 60 * 1000;
const DOC_CACHE_BYTES = 64 * 1024 * 1024;
const SEARCH_CACHE_CHARS = 96 * 1024 * 1024;
const STAND_ASIDE_MS = 20;
const INDEX_AHEAD_CHARS = 1 << 20; // a longer text (more than a few ms in one step) is indexed by its first query

export function createServices(
  host: Host, config: Config, notifier: Notifier, send: (m: unknown) => void, audit: AuditLog | null = null,
  busy: () => boolean = () => false,
) {
  const writableOk = config.files.writableFolders.map((p) => compileGlob(p));
  const confinement: Confinement = {
    host,
    rules: createPathRules(config.files.extensions, config.files.deny, config.files.hidden),
    symlinks: config.files.symlinks,
    hardLinks: config.files.hardLinks,
    maxFileBytes: config.files.maxFileBytes,
    writable: config.mode === 'production' ? { allowed: (rel) => writableOk.some((g) => g.matches(rel)) } : undefined,
  };
  let clientCaps: Readonly<Record<string, unknown>> = {};
  let narrowing: Narrowing | null = null;
  let settled: Promise<void> = Promise.resolve();
  let nextId = 1;
  const outgoing = new Map<string, (result: unknown, error: unknown) => void>();
  const approved = new Map<string, number>();
  const memory = createMemoryBudget(config.limits.memoryBytes);
  const docs = createDocumentCache(DOC_CACHE_BYTES, memory, config.files.redactSecrets, host, config.files.binary);

  function request(method: string, onAnswer: (result: unknown, error: unknown) => void, params?: unknown): string {
    const id = `docwarden-${nextId++}`; // string ids: never collide with a client's own
    outgoing.set(id, onAnswer);
    send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return id;
  }

  /** Handshake era: asks the user through elicitation/create when the client declared it. */
  function askConsent(r: ConsentRequest, features: Features): Promise<ConsentAnswer> {
    // Elicitation exists from 2025-06-18 on, and only when the client declared the capability.
    const supported = features.structured && isPlainObject(clientCaps['elicitation']);
    const answered = (answer: ConsentAnswer): ConsentAnswer => {
      const outcome = answer === 'accepted' ? 'ok' : 'refused';
      audit?.write({ event: 'consent', era: features.version, tool: r.tool, files: [`${r.root}:${r.path}`], outcome,
        reason: answer, bytes: r.size });
      return answer;
    };
    if (!supported) return Promise.resolve(answered('unsupported'));
    // A "yes" holds for this session and this exact file size for a while, so paging through a
    // document does not ask again for every page.
    const key = `${r.root}\u0000${r.path}\u0000${r.size}`;
    const until = approved.get(key);
    if (until !== undefined && until > host.now()) return Promise.resolve('accepted');
    return new Promise((resolve) => {
      // The mode field exists from 2025-11-25 on.
      const params = features.argumentErrorsAsResults ? { mode: 'form', ...consentForm(r) } : consentForm(r);
      let id = '';
      const stop = host.setTimer(config.confirm.timeoutMs, () => {
        outgoing.delete(id);
        resolve(answered('timeout'));
      });
      id = request('elicitation/create', (result, error) => {
        stop();
        const answer = error === undefined ? consentAnswer(result) : 'cancelled';
        if (answer === 'accepted') approved.set(key, host.now() + CONSENT_MEMORY_MS);
        resolve(answered(answer));
      }, params);
    });
  }

  // At most one roots/list is outstanding: list_changed notifications arriving meanwhile (a flood of
  // them, from a client that never answers) fold into one more fetch once it is answered or timed out.
  let rootsPending = false;
  let rootsAgain = false;
  function fetchRoots(): void {
    if (!isPlainObject(clientCaps['roots'])) return;
    if (rootsPending) return void (rootsAgain = true);
    rootsPending = true;
    const warn = (message: string) => notifier.log('warning', 'roots', message);
    settled = new Promise<void>((done) => {
      const resolve = () => {
        rootsPending = false;
        done();
        const again = rootsAgain;
        rootsAgain = false;
        if (again) fetchRoots();
      };
      const cancel = host.setTimer(ROOTS_TIMEOUT_MS, () => {
        outgoing.delete(id);
        warn('The client did not answer roots/list in time; serving the configured roots');
        resolve();
      });
      const id = request('roots/list', (result, error) => {
        const roots = isPlainObject(result) && Array.isArray(result['roots']) ? result['roots'] : null;
        if (error !== undefined || roots === null) {
          warn('The client answered roots/list with an error; serving the configured roots');
          cancel();
          resolve();
          return;
        }
        const uris = roots.flatMap((r: unknown) =>
          (isPlainObject(r) && typeof r['uri'] === 'string' ? [r['uri']] : []));
        void computeNarrowing(host, config.roots, uris).then((n) => {
          narrowing = n;
          const none = 'The client roots exclude every configured documentation root: nothing is served';
          if (visibleRoots(config.roots, n).length === 0) warn(none);
          cancel();
          resolve();
        });
      });
    });
  }

  const confirmPolicy = createConfirmPolicy(config.confirm.paths, config.confirm.largerThan);
  const corpus = createSearchCorpus(SEARCH_CACHE_CHARS, host.now, docs);
  // While the client settles in, the texts a search would read are read into the search cache, then what words
  // mode derives from each (path tokens, section index), so the first search is as fast as a warm one
  // (docs/performance.md, "Warm-up"): through the search's own walk and loader, never a consent-gated or
  // narrowed-away file, within limits.memoryBytes of text, a file at a time, standing aside while any request
  // runs. One audit record says what it did.
  let warming = Promise.resolve();
  // Aborted when the server stops, which writes the warm-up's record first: never after "stop" (outside attack).
  const [warmStop, reportWarmUp] = [new AbortController(), { now: (): void => undefined }];
  async function warmUp(): Promise<void> {
    if (warmStop.signal.aborted) return; // the client's roots came (or timed out) after the server stopped
    const started = host.now();
    const signal = warmStop.signal;
    const slice = createSlicer(host, signal);
    const read = { chars: 0, indexed: 0, stoodAside: 0 };
    const pace = async () => {
      for (; busy(); read.stoodAside++) await new Promise<void>((r) => host.setTimer(STAND_ASIDE_MS, r));
      await slice.tick();
    };
    const warmed: CorpusEntry[] = [];
    reportWarmUp.now = () => {
      reportWarmUp.now = () => undefined; // once
      const [ms, stopped] = [Math.round(host.now() - started), signal.aborted ? { stopped: true } : {}];
      audit?.write({ event: 'warm_up', outcome: 'info', detail: { files: warmed.length, ...read, ms, ...stopped } });
    };
    const walks = visibleRoots(config.roots, narrowing).map((root) =>
      ({ confinement, root, maxDepth: config.limits.depth, maxVisited: config.limits.walkEntries, signal }));
    for (const o of walks) {
      // Walked as search_docs walks (same limits), paced per entry, before any read: a search that comes while the
      // texts are read finds the snapshot and reads only what is left, instead of walking the tree again.
      await corpus.stream(o, async () => (await pace(), true)).catch(() => undefined);
      // A root search refuses (over limits.searchFiles) is not read either: 190,000 tiny files held 634 MB (attack).
      if ((corpus.fresh(o)?.files.length ?? Infinity) > config.limits.searchFiles) continue;
      await corpus.stream(o, async (f) => {
        await pace();
        if (confirmPolicy.needs(f.path, f.size, f.links)) return true;
        if (!narrowingAllowsPath(narrowing, o.root.name, f.path)) return true;
        const text = corpus.room(f.size, config.limits.memoryBytes) // decoded a slice at a time, never standing aside
          ? await corpus.text(confinement, f, signal, slice.tick) : null; // with the memory budget held (deadlock)
        if (text !== null) warmed.push(f);
        read.chars += text?.length ?? 0;
        return true;
      }).catch(() => undefined); // over limits.walkEntries: search refuses the root too
    }
    for (const f of warmed) {
      await pace();
      pathTokensOf(f.path.rel); // not during the walk: tokenizing there delays the reads a search 1 s in would find
      const text = (await corpus.text(confinement, f, signal, slice.tick)) ?? ''; // '' has a memo only if empty
      // Only while the cache has room: an index that evicts the texts just read is work and garbage for nothing.
      const ahead = text.length <= INDEX_AHEAD_CHARS && corpus.room(INDEX_AHEAD_CHARS, Infinity) &&
        corpus.rankMemo(f, text) !== null;
      if (ahead) await corpus.terms(f, text, slice.tick); // phase 1 of the first search: no scans
      if (ahead) await corpus.sections(f, text, slice.tick); // built once: the cached one is returned
      read.indexed += ahead ? 1 : 0;
    }
    // Rechecked last (stat and lstat, as an expired snapshot is), so a search soon after finds it fresh.
    for (const o of walks) await corpus.stream(o, async () => false).catch(() => undefined);
    reportWarmUp.now();
  }

  return {
    host, config, confinement, notifier, askConsent, confirmPolicy, corpus, docs,
    tools: createToolTable(config.limits),
    limiter: createRateLimiter({ perMinute: config.limits.callsPerMinute, burst: config.limits.burst, now: host.now }),
    narrowing: (): Narrowing | null => narrowing,
    /** Resolves once client roots are known (or were not declared, or did not answer in time). */
    rootsSettled: () => settled,
    setClient(caps: Readonly<Record<string, unknown>>) {
      clientCaps = caps;
    },
    clientReady() {
      fetchRoots();
      warming = settled.then(warmUp).catch(() => undefined); // stopped
    },
    warmedUp: () => warming,
    /** The server stops: the warm-up ends at its next step, and its record is written now. */
    stopWarmUp: () => (warmStop.abort(), reportWarmUp.now()),
    rootsChanged: fetchRoots,
    onResponse(id: RequestId, result: unknown, error: unknown) {
      const key = String(id);
      const handler = outgoing.get(key);
      if (!handler) return; // unknown or late answers are ignored
      outgoing.delete(key);
      handler(result, error);
    },
  };
}
