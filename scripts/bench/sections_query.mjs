// Benchmark sections for latency: cold start, read of fs.md, searches over linux-docs (vs rg and grep)
// and the name glob (vs the reference's search_files). Each figure: N runs, median with min and max.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { callOk, framedPage, hwmOf, pagedCall, repeat, warmUpOf, withServer } from './common.mjs';
import { cpuMsOf, sleep, stats, timeCommand } from './measure.mjs';
import { ratioOf } from './report.mjs';

const NODE = process.execPath;

export async function startup(ctx) {
  const { N, report, launch, dirs } = ctx;
  const S = 'startup';
  const initOnce = (factory) => withServer(factory, async (_c, ms) => ms);
  // One unmeasured round first so every contender starts with a warm page cache.
  await timeCommand(NODE, ['-e', '0']);
  await initOnce(() => launch.docwarden(dirs.linux));
  if (launch.reference) await initOnce(() => launch.reference(dirs.linux));
  const bare = [];
  const dw = [];
  const ref = [];
  // Interleaved so that machine-load drift hits all three alike.
  for (let i = 0; i < N; i++) {
    bare.push((await timeCommand(NODE, ['-e', '0'])).ms);
    dw.push(await initOnce(() => launch.docwarden(dirs.linux)));
    if (launch.reference) ref.push(await initOnce(() => launch.reference(dirs.linux)));
  }
  const sb = stats(bare);
  const sd = stats(dw);
  report.add(S, 'node -e 0 (spawn → exit)', sb, 'ms');
  report.add(S, 'docwarden spawn → initialize reply', sd, 'ms', {
    cmp: { ratio: ratioOf(sd.median, sb.median), against: 'node -e 0' },
    target: 'coldStart',
  });
  if (launch.reference) {
    const sr = stats(ref);
    report.add(S, 'reference spawn → initialize reply', sr, 'ms', {
      cmp: { ratio: ratioOf(sr.median, sb.median), against: 'node -e 0' },
    });
    report.add(S, 'docwarden / reference (cold start)', ratioOf(sd.median, sr.median), 'x');
  }
  return { bareMs: bare, docwardenMs: dw, referenceMs: ref };
}

export async function read(ctx) {
  const { N, report, launch, dirs, refTools } = ctx;
  const S = 'read';
  const args = { path: 'fs.md' };
  const dw = await withServer(
    () => launch.docwarden(dirs.node),
    async (c) => {
      const r0 = await callOk(c, 'read_doc', args);
      const first = r0.ms;
      // Issue 13: how much of a full page's reply is document text (UTF-8 bytes of the page / reply bytes).
      const share = { docBytes: Buffer.byteLength(framedPage(r0.result)?.text ?? ''), replyBytes: r0.bytes };
      const page = await repeat(N, async () => (await callOk(c, 'read_doc', args)).ms);
      const full = await repeat(N, () => pagedCall(c, 'read_doc', args));
      return { first, page, full, share };
    },
  );
  let ref = null;
  if (launch.reference && refTools.read) {
    const refArgs = { path: join(dirs.node, 'fs.md') };
    ref = await withServer(
      () => launch.reference(dirs.node),
      async (c) => {
        const r0 = await callOk(c, refTools.read, refArgs);
        const bytes = (r0.result.content?.[0]?.text ?? '').length;
        const ms = await repeat(N, async () => (await callOk(c, refTools.read, refArgs)).ms);
        return { first: r0.ms, ms, bytes };
      },
    );
  }
  const sPage = stats(dw.page);
  const sFull = stats(dw.full.map((f) => f.ms));
  const sRef = ref ? stats(ref.ms) : null;
  const f0 = dw.full[0];
  const cmp = (s) => (sRef ? { ratio: ratioOf(s.median, sRef.median), against: 'reference' } : undefined);
  report.add(S, 'docwarden read_doc fs.md, first page (warm)', sPage, 'ms', {
    cmp: cmp(sPage),
    target: sRef ? 'read' : undefined,
  });
  // Reported, not a target: paging is a design choice (no reply over limits.responseBytes), so the
  // whole file costs several round trips where the reference sends one unbounded reply.
  report.add(S, `docwarden read_doc fs.md, all ${f0.pages} pages (warm)`, sFull, 'ms', {
    cmp: cmp(sFull),
    info: `${f0.bytes} chars of text (file: ${Math.round(statSync(join(dirs.node, 'fs.md')).size / 1024)} KB)`,
  });
  report.add(S, 'docwarden read_doc, first call in process', dw.first, 'ms');
  const { docBytes, replyBytes } = dw.share;
  report.add(S, 'docwarden read_doc fs.md, document share of a full first page', (100 * docBytes) / replyBytes, '%', {
    info: `${docBytes} bytes of document in a ${replyBytes}-byte reply`,
  });
  if (sRef) {
    report.add(S, `reference ${refTools.read} fs.md (warm)`, sRef, 'ms', { info: `${ref.bytes} chars in one reply` });
    report.add(S, `reference ${refTools.read}, first call in process`, ref.first, 'ms');
  }
  return { docwarden: { firstMs: dw.first, pageMs: dw.page, full: dw.full, share: dw.share }, reference: ref };
}

/** The search queries: docwarden arguments and the rg/grep command lines doing the same job. */
export function searchQueries() {
  return [
    {
      key: 'literal',
      label: "literal 'page fault'",
      full: true,
      target: true,
      args: { query: 'page fault', mode: 'literal', caseSensitive: true, limit: 50 },
      rg: ['-n', '-F', 'page fault'],
      grep: ['-rnF', 'page fault'],
    },
    {
      key: 'literal-i',
      label: "literal -i 'page fault'",
      target: true,
      args: { query: 'page fault', mode: 'literal', caseSensitive: false, limit: 50 },
      rg: ['-n', '-F', '-i', 'page fault'],
      grep: ['-rnFi', 'page fault'],
    },
    {
      key: 'words',
      label: "words 'page fault handling'",
      target: true,
      args: { query: 'page fault handling', mode: 'words', limit: 50 },
      rg: ['-n', '-F', '-i', 'page fault'],
      grep: ['-rnFi', 'page fault'],
    },
    {
      key: 'regex',
      label: "regex 'page.fault'",
      args: { query: 'page.fault', mode: 'regex', caseSensitive: true, limit: 50 },
      rg: ['-n', 'page.fault'],
      grep: ['-rnE', 'page.fault'],
    },
    {
      key: 'nohit',
      label: 'literal, no hit (full scan)',
      target: true,
      args: { query: 'qzx-no-such-phrase', mode: 'literal', caseSensitive: true, limit: 50 },
      rg: ['-n', '-F', 'qzx-no-such-phrase'],
      grep: ['-rnF', 'qzx-no-such-phrase'],
    },
  ];
}

/** Cold (first query in N fresh processes) and warm (N repeats in one process) for one query. */
export async function docwardenSearch(ctx, root, args, { full = false, runs = ctx.N } = {}) {
  const cold = [];
  let warm = [];
  let fullRuns = [];
  let hwm = null;
  let firstHits = 0;
  for (let i = 0; i < runs; i++) {
    await withServer(
      () => ctx.launch.docwarden(root),
      async (c) => {
        const r = await callOk(c, 'search_docs', args);
        cold.push(r.ms);
        firstHits = r.result.structuredContent?.hits?.length ?? 0;
        if (i === 0) {
          warm = await repeat(runs, async () => (await callOk(c, 'search_docs', args)).ms);
          if (full) fullRuns = await repeat(Math.min(runs, 5), () => pagedCall(c, 'search_docs', args));
        }
        const h = hwmOf(c);
        if (h !== null && (hwm === null || h > hwm)) hwm = h;
      },
    );
  }
  return { cold, warm, full: fullRuns, hwmMB: hwm, firstPageHits: firstHits };
}

/**
 * The first search of `runs` fresh processes, sent `waitMs` after the initialize reply (the warm-up's time),
 * or, with waitMs null, `afterMs` after the process has written its warm_up audit record. Each run's time, and the
 * server's CPU time over the call (every thread: garbage collection too), which a busy machine's waits leave out.
 */
export function firstSearch(ctx, root, args, waitMs, runs = ctx.N, afterMs = 0) {
  return repeat(runs, () =>
    withServer(() => ctx.launch.docwarden(root), async (c) => {
      if (waitMs === null) await warmUpOf(join(ctx.tmp, 'audit.jsonl'), c.pid).then(() => sleep(afterMs));
      else await sleep(waitMs);
      const cpu = cpuMsOf(c.pid);
      const { ms } = await callOk(c, 'search_docs', args);
      return { ms, cpu: cpu === null ? null : cpuMsOf(c.pid) - cpu };
    }));
}

/** A firstSearch row's stats of time, and its note: the server's median CPU time over the call. */
function timesOf(runs) {
  const cpu = runs.map((r) => r.cpu).filter((v) => v !== null);
  return [stats(runs.map((r) => r.ms)), cpu.length ? `server CPU ${stats(cpu).median} ms (median)` : undefined];
}

const toolTimes = new Map();

/** N timed runs of an external command after one warm-up; the same command line is timed once per run. */
async function timeTool(cmd, args, runs, opts = {}) {
  const key = JSON.stringify([cmd, args, runs, opts]);
  if (!toolTimes.has(key)) {
    await timeCommand(cmd, args, opts); // warm-up, not counted
    const out = await repeat(runs, () => timeCommand(cmd, args, opts));
    toolTimes.set(key, { ms: out.map((o) => o.ms), lines: out[0].lines });
  }
  return toolTimes.get(key);
}

export async function search(ctx) {
  const { N, report, dirs, tools } = ctx;
  const S = 'search';
  const raw = {};
  for (const q of searchQueries()) {
    const d = await docwardenSearch(ctx, dirs.linux, q.args, { full: q.full });
    const rg = tools.rg ? await timeTool('rg', [...q.rg, dirs.linux], N) : null;
    const grep = tools.grep ? await timeTool('grep', [...q.grep, dirs.linux], N) : null;
    const sRg = rg ? stats(rg.ms) : null;
    const vsRg = (
      s,
    ) => (sRg
      ? {
        ratio: ratioOf(s.median, sRg.median),
        against: `rg ${q.rg.filter((a) => a.startsWith('-') && a !== '-n').join(' ')}`.trimEnd(),
      }
      : undefined);
    const sCold = stats(d.cold);
    const sWarm = stats(d.warm);
    report.add(S, `${q.label}: docwarden cold (first search, sent at once)`, sCold, 'ms', {
      cmp: vsRg(sCold),
      target: q.target && sRg ? 'coldLiteral' : undefined,
      info: `${d.firstPageHits} hits on page 1`,
    });
    // Issue 13: the first search 1 s after start, once the server has warmed its cache meanwhile.
    const [sLater, laterCpu] = timesOf(await firstSearch(ctx, dirs.linux, q.args, 1000));
    report.add(S, `${q.label}: docwarden first search 1 s after initialize`, sLater, 'ms', {
      cmp: vsRg(sLater),
      target: sRg ? 'coldLiteral' : undefined,
      info: laterCpu,
    });
    // The same once the warm-up has finished, however long that took on this machine (reported).
    const [sDone, doneCpu] = timesOf(await firstSearch(ctx, dirs.linux, q.args, null));
    report.add(S, `${q.label}: docwarden first search once warm-up is done`, sDone, 'ms', {
      cmp: vsRg(sDone),
      info: doneCpu,
    });
    // A first search long after the warm-up: its snapshot has expired and is rechecked (stat/lstat) instead of walked.
    const [sLong, longCpu] = timesOf(await firstSearch(ctx, dirs.linux, q.args, null, ctx.N, 3000));
    report.add(S, `${q.label}: docwarden first search 3 s after warm-up is done`, sLong, 'ms', {
      cmp: vsRg(sLong),
      info: longCpu,
    });
    report.add(S, `${q.label}: docwarden warm`, sWarm, 'ms', {
      cmp: vsRg(sWarm),
      target: q.target && sRg ? 'warmLiteral' : undefined,
    });
    let fullInfo = null;
    if (d.full.length > 0) {
      const sFull = stats(d.full.map((f) => f.ms));
      fullInfo = { pages: d.full[0].pages, hits: d.full[0].items };
      report.add(S, `${q.label}: docwarden warm, all pages`, sFull, 'ms', {
        cmp: vsRg(sFull),
        info: `${fullInfo.hits} hits in ${fullInfo.pages} pages`,
      });
    }
    if (rg)
      report.add(S, `${q.label}: rg ${q.rg.filter((a) => a.startsWith('-')).join(' ')}`, sRg, 'ms', {
        info: `${rg.lines} lines`,
      });
    if (grep)
      report.add(
        S,
        `${q.label}: grep ${q.grep.filter((a) => a.startsWith('-')).join(' ')}`,
        stats(grep.ms),
        'ms',
        { info: `${grep.lines} lines` },
      );
    let rg50 = null;
    if (q.full && tools.rg) {
      rg50 = await timeTool('rg', [...q.rg, dirs.linux], N, { maxLines: 50 });
      report.add(
        S,
        `${q.label}: rg ${q.rg.filter((a) => a.startsWith('-')).join(' ')} | head -50`,
        stats(rg50.ms),
        'ms',
      );
    }
    raw[q.key] = {
      args: q.args,
      docwarden: d,
      after1sMs: sLater,
      afterWarmUpMs: sDone,
      rgMs: rg?.ms ?? null,
      rgLines: rg?.lines ?? null,
      grepMs: grep?.ms ?? null,
      grepLines: grep?.lines ?? null,
      rg50Ms: rg50?.ms ?? null,
      full: fullInfo,
    };
  }
  if (!tools.rg) report.note(S, 'rg not installed: rg comparisons skipped');
  if (!tools.grep) report.note(S, 'grep not installed: grep comparisons skipped');
  return raw;
}

export async function find(ctx) {
  const { N, report, launch, dirs, refTools } = ctx;
  const S = 'find';
  const pattern = '**/*mm*.rst';
  const args = { pattern, limit: 500 };
  const cold = [];
  let warm = [];
  let count = 0;
  for (let i = 0; i < N; i++) {
    await withServer(
      () => launch.docwarden(dirs.linux),
      async (c) => {
        const f = await pagedCall(c, 'find_docs', args);
        cold.push(f.ms);
        count = f.items;
        if (i === 0) warm = (await repeat(N, () => pagedCall(c, 'find_docs', args))).map((x) => x.ms);
      },
    );
  }
  let ref = null;
  if (launch.reference && refTools.search) {
    const refArgs = { path: dirs.linux, pattern };
    ref = await withServer(
      () => launch.reference(dirs.linux),
      async (c) => {
        const r0 = await callOk(c, refTools.search, refArgs);
        const text = r0.result.content?.[0]?.text ?? '';
        const matches = text.startsWith('No matches') ? 0 : text.split('\n').filter((l) => l.trim() !== '').length;
        const ms = await repeat(Math.min(N, 5), async () => (await callOk(c, refTools.search, refArgs)).ms);
        return { first: r0.ms, ms, matches };
      },
    );
  }
  const sCold = stats(cold);
  const sWarm = stats(warm);
  const sRef = ref ? stats(ref.ms) : null;
  report.add(S, `docwarden find_docs '${pattern}' cold (fresh process)`, sCold, 'ms', {
    cmp: ref ? { ratio: ratioOf(sCold.median, ref.first), against: 'reference 1st call' } : undefined,
    target: ref ? 'find' : undefined,
    info: `${count} matches`,
  });
  report.add(S, `docwarden find_docs '${pattern}' warm`, sWarm, 'ms', {
    cmp: sRef ? { ratio: ratioOf(sWarm.median, sRef.median), against: 'reference warm' } : undefined,
    target: sRef ? 'find' : undefined,
  });
  if (ref) {
    report.add(S, `reference ${refTools.search} first call`, ref.first, 'ms', { info: `${ref.matches} matches` });
    report.add(S, `reference ${refTools.search} warm`, sRef, 'ms');
    if (ref.matches !== count)
      report.note(
        S,
        `match counts differ: docwarden ${count}, reference ${ref.matches} (docwarden hides denied/unsupported files; the reference lists every name)`,
      );
  }
  return { pattern, docwarden: { coldMs: cold, warmMs: warm, matches: count }, reference: ref };
}
