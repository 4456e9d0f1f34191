// Benchmark sections for load and memory: 2,000 pipelined calls, idle and search-peak RSS, and scaling
// over 1×, 2× and 4× copies of linux-docs. RSS comes from /proc/<pid>/status (VmRSS, VmHWM).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { callOk, hwmOf, pagedCall, warmUpOf, withServer } from './common.mjs';
import { memOf, sampleRss, sleep, stats, timeCommand } from './measure.mjs';
import { ratioOf } from './report.mjs';
import { docwardenSearch, searchQueries } from './sections_query.mjs';
import { copyTree, writeUnlimitedConfig } from './setup.mjs';

const PIPELINE_CALLS = 2000;
const REF_CAP_MS = 60_000;

/** Writes all requests at once, samples RSS every 20 ms, waits (bounded) for every reply. */
async function pipelined(client, requests, capMs, capRssMB) {
  const t0 = performance.now();
  let killedFor = null;
  const sampler = sampleRss(client.pid, 20, (m) => {
    if (capRssMB && m.rssMB !== null && m.rssMB > capRssMB && killedFor === null) {
      killedFor = `RSS above ${capRssMB} MB`;
      client.kill();
    }
  });
  const promises = client.requestMany(requests);
  let ok = 0;
  let errors = 0;
  const errorKinds = new Map();
  let lastReply = t0;
  const settled = promises.map((p) =>
    p.then(
      ({ msg, t }) => {
        lastReply = t;
        const isErr = msg.error !== undefined || msg.result?.isError === true;
        if (isErr) {
          errors++;
          const why = msg.error?.message ?? msg.result?.content?.[0]?.text ?? '?';
          const kind = String(why).slice(0, 60);
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        } else ok++;
      },
      () => {},
    )
  );
  const all = Promise.all(settled);
  let timerId;
  const timer = new Promise((r) => (timerId = setTimeout(() => r('timeout'), capMs)));
  const outcome = await Promise.race([all.then(() => 'done'), timer]);
  clearTimeout(timerId); // a pending cap timer would keep the benchmark alive after its last section
  const hwmAlive = hwmOf(client);
  const s = sampler.stop();
  if (outcome === 'timeout' && killedFor === null) killedFor = `cap of ${capMs / 1000} s reached`;
  return {
    sent: requests.length,
    ok,
    errors,
    answered: ok + errors,
    ms: (outcome === 'done' ? lastReply : performance.now()) - t0,
    peakRssMB: s.peakRssMB,
    hwmMB: hwmAlive ?? s.hwmMB,
    stopped: killedFor,
    errorKinds: Object.fromEntries(errorKinds),
  };
}

export async function pipeline(ctx) {
  const { report, launch, dirs, refTools, tmp } = ctx;
  const S = 'pipeline';
  const files = readdirSync(dirs.node).filter((f) => f.endsWith('.md')).sort();
  const words = ['callback', 'Buffer', 'stream', 'deprecated', 'EventEmitter', 'options', 'Promise', 'signal'];
  const dwRequests = [];
  for (let i = 0; i < PIPELINE_CALLS; i++) {
    dwRequests.push(
      i % 2 === 0
        ? { method: 'tools/call', params: { name: 'read_doc', arguments: { path: files[(i >> 1) % files.length] } } }
        : {
          method: 'tools/call',
          params: {
            name: 'search_docs',
            arguments: { query: words[(i >> 1) % words.length], mode: 'literal', limit: 50 },
          },
        },
    );
  }
  const raw = {};
  const runs = [
    ['default limits', []],
    ['callsPerMinute 0', ['--config', writeUnlimitedConfig(tmp, dirs.node)]],
  ];
  for (const [label, extra] of runs) {
    const c = launch.docwarden(dirs.node, extra);
    try {
      await c.initialize();
      const r = await pipelined(c, dwRequests, 120_000);
      raw[label] = r;
      const errs = r.errors > 0
        ? `; refused: ${Object.entries(r.errorKinds).map(([k, v]) => `${v}× "${k.slice(0, 40)}…"`).join(', ')}`
        : '';
      const exit = c.exited ? `; server exited (${c.exitCode}) with ${r.sent - r.answered} calls unanswered` : '';
      report.add(S, `docwarden, ${label}: calls answered`, r.answered, 'calls', {
        check: { text: `all ${r.sent}`, pass: r.answered === r.sent },
        info: `${r.ok} ok, ${r.errors} errors in ${Math.round(r.ms)} ms${exit}${errs}`,
      });
      report.add(S, `docwarden, ${label}: peak RSS`, r.hwmMB ?? r.peakRssMB, 'MB', {
        target: 'pipelineRss',
        absolute: true,
      });
      r.exited = c.exited;
      r.exitCode = c.exitCode;
    } finally {
      await c.close(3000);
    }
  }
  if (launch.reference && refTools.read) {
    const refRequests = [];
    for (let i = 0; i < PIPELINE_CALLS; i++) {
      refRequests.push({
        method: 'tools/call',
        params: { name: refTools.read, arguments: { path: join(dirs.node, files[i % files.length]) } },
      });
    }
    // Never let the reference take the machine down: stop it at half the free memory (≤ 8 GB).
    const capRss = Math.min(8192, Math.floor(freemem() / 2 / 1048576));
    const c = launch.reference(dirs.node);
    try {
      await c.initialize();
      const r = await pipelined(c, refRequests, REF_CAP_MS, capRss);
      raw.reference = r;
      report.add(S, `reference, ${PIPELINE_CALLS}× ${refTools.read}: calls answered`, r.answered, 'calls', {
        info: `in ${Math.round(r.ms)} ms${r.stopped ? ` (stopped: ${r.stopped})` : ''}`,
      });
      report.add(S, `reference, ${PIPELINE_CALLS}× ${refTools.read}: peak RSS`, r.hwmMB ?? r.peakRssMB, 'MB');
    } finally {
      await c.kill();
    }
  }
  return raw;
}

/** VmRSS of bare node, idle (a timer keeps it alive), `settleMs` after spawn. */
async function bareIdle(settleMs) {
  const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},10000)'], { stdio: 'ignore' });
  await sleep(settleMs);
  const m = memOf(child.pid);
  child.kill('SIGKILL');
  return m.rssMB;
}

export async function memory(ctx) {
  const { N, report, launch, dirs } = ctx;
  const S = 'memory';
  const settleMs = 500;
  // The server walks each root once for the start-up census (issue 3) once its warm-up is done; the walk's
  // optimised code stays resident. The figure that counts is the one after both (3 s, or later if they end later).
  const afterCensusMs = 3000;
  const bare = [];
  const dw = [];
  const dwSettled = [];
  const warmUps = [];
  const ref = [];
  // Interleaved: bare node, docwarden, reference, so load drift hits all alike.
  for (let i = 0; i < Math.min(N, 5); i++) {
    bare.push(await bareIdle(settleMs));
    const c = launch.docwarden(dirs.linux);
    try {
      await c.initialize();
      const t0 = performance.now();
      await sleep(settleMs);
      dw.push(memOf(c.pid).rssMB);
      // Issue 13: the server reads the root's texts into its search cache meanwhile; measured once it has.
      const warm = await warmUpOf(join(ctx.tmp, 'audit.jsonl'), c.pid);
      if (warm) warmUps.push(warm);
      await warmUpOf(join(ctx.tmp, 'audit.jsonl'), c.pid, 120_000, 'census');
      await sleep(Math.max(0, afterCensusMs - (performance.now() - t0)));
      dwSettled.push(memOf(c.pid).rssMB);
    } finally {
      await c.close();
    }
    if (launch.reference) {
      const r = launch.reference(dirs.linux);
      try {
        await r.initialize();
        await sleep(settleMs);
        ref.push(memOf(r.pid).rssMB);
      } finally {
        await r.close(1000);
      }
    }
  }
  const sb = stats(bare);
  const sd = stats(dw);
  report.add(S, `bare node idle RSS (${settleMs} ms after spawn)`, sb, 'MB');
  report.add(S, `docwarden idle RSS (${settleMs} ms after initialize)`, sd, 'MB', {
    cmp: { ratio: ratioOf(sd.median, sb.median), against: 'bare node' },
  });
  const ss = stats(dwSettled);
  report.add(S, `docwarden idle RSS (${afterCensusMs} ms after initialize, census and warm-up done)`, ss, 'MB', {
    cmp: { ratio: ratioOf(ss.median, sb.median), against: 'bare node' },
    target: 'idle',
  });
  const w = warmUps[0];
  report.add(S, 'docwarden warm-up of linux-docs after initialize', stats(warmUps.map((x) => x.ms)), 'ms', {
    info: w
      ? `${w.files} files, ${(w.chars / 1048576).toFixed(1)} M characters cached, ${w.indexed} indexed`
      : 'no warm_up record',
  });
  if (ref.length > 0) {
    const sr = stats(ref);
    report.add(S, 'reference idle RSS', sr, 'MB', {
      cmp: { ratio: ratioOf(sr.median, sb.median), against: 'bare node' },
    });
  }
  // Every search query over linux-docs in one process (plus the full literal listing), then VmHWM.
  const peak = await withServer(
    () => launch.docwarden(dirs.linux),
    async (c) => {
      for (const q of searchQueries()) await callOk(c, 'search_docs', q.args);
      await pagedCall(c, 'search_docs', searchQueries()[0].args);
      await pagedCall(c, 'find_docs', { pattern: '**/*', limit: 500 });
      return hwmOf(c);
    },
  );
  report.add(S, 'docwarden peak RSS after all searches over linux-docs', peak, 'MB', {
    target: 'searchRss',
    absolute: true,
  });
  return {
    bareIdleMB: bare,
    docwardenIdleMB: dw,
    docwardenWarmMB: dwSettled,
    warmUps,
    referenceIdleMB: ref,
    searchPeakMB: peak,
  };
}

/** Regular files under `dir`: { files, mb } (sizes, not disk blocks, so smaller than `du`). */
function dirSize(dir) {
  let total = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        total += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, mb: total / 1048576 };
}

export async function scale(ctx) {
  const { N, report, dirs, tmp, tools } = ctx;
  const S = 'scale';
  const runs = Math.min(N, 5);
  const scaleRoot = join(tmp, 'scale');
  mkdirSync(scaleRoot, { recursive: true });
  const [literal, , words, , nohit] = searchQueries();
  const results = [];
  let copies = 0;
  for (const factor of [1, 2, 4]) {
    let root = dirs.linux;
    if (factor > 1) {
      while (copies < factor) copyTree(dirs.linux, join(scaleRoot, `copy${copies++}`));
      root = scaleRoot;
    }
    const size = dirSize(root);
    const lit = await docwardenSearch(ctx, root, literal.args, { runs });
    const nh = await docwardenSearch(ctx, root, nohit.args, { runs });
    const wd = await docwardenSearch(ctx, root, words.args, { runs });
    let rgMs = null;
    if (tools.rg) {
      await timeCommand('rg', [...nohit.rg, root]);
      const t = [];
      for (let i = 0; i < runs; i++) t.push((await timeCommand('rg', [...nohit.rg, root])).ms);
      rgMs = stats(t).median;
    }
    const hwm = Math.max(lit.hwmMB ?? 0, nh.hwmMB ?? 0, wd.hwmMB ?? 0) || null;
    results.push({
      factor,
      files: size.files,
      sizeMB: size.mb,
      root,
      literal: { cold: stats(lit.cold), warm: stats(lit.warm) },
      nohit: { cold: stats(nh.cold), warm: stats(nh.warm) },
      words: { cold: stats(wd.cold), warm: stats(wd.warm) },
      rgNohitMs: rgMs,
      hwmMB: hwm,
    });
  }
  const base = results[0];
  for (const r of results) {
    const tag = `${r.factor}×`;
    report.add(S, `${tag} corpus`, r.files, 'files', { info: `${Math.round(r.sizeMB)} MB of file content` });
    const g = (get) => (r.factor === 1 ? undefined : { factor: ratioOf(get(r), get(base)), scale: r.factor });
    report.add(S, `${tag} literal 'page fault' cold`, r.literal.cold, 'ms', {
      growth: g((x) => x.literal.cold.median),
    });
    report.add(S, `${tag} literal 'page fault' warm`, r.literal.warm, 'ms', {
      growth: g((x) => x.literal.warm.median),
    });
    report.add(S, `${tag} literal no-hit (full scan) cold`, r.nohit.cold, 'ms', {
      growth: g((x) => x.nohit.cold.median),
    });
    report.add(S, `${tag} literal no-hit (full scan) warm`, r.nohit.warm, 'ms', {
      growth: g((x) => x.nohit.warm.median),
      info: r.rgNohitMs === null ? '' : `rg -F same query: ${Math.round(r.rgNohitMs)} ms`,
    });
    report.add(S, `${tag} words 'page fault handling' cold`, r.words.cold, 'ms', {
      growth: g((x) => x.words.cold.median),
    });
    report.add(S, `${tag} words 'page fault handling' warm`, r.words.warm, 'ms', {
      growth: g((x) => x.words.warm.median),
    });
    report.add(S, `${tag} peak RSS (VmHWM, max over processes)`, r.hwmMB, 'MB', { growth: g((x) => x.hwmMB) });
  }
  report.note(S, `machine memory: ${Math.round(totalmem() / 1048576)} MB total`);
  return results;
}
