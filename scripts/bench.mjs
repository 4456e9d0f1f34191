// docwarden benchmark (issue 5): measures docwarden side by side with the reference filesystem MCP
// server, rg, grep and bare node in one run; prints a table and writes bench-results/<stamp>.json.
// Usage: node scripts/bench.mjs [startup] [read] [search] [find] [relevance] [pipeline] [memory] [scale]
// Env: BENCH_RUNS (default 7), DOCWARDEN_CORPORA (default ../shared/corpora), BENCH_KEEP=1 keeps the temp folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { hasCommand } from './bench/measure.mjs';
import { Report } from './bench/report.mjs';
import { withServer } from './bench/common.mjs';
import { find, read, search, startup } from './bench/sections_query.mjs';
import { memory, pipeline, scale } from './bench/sections_load.mjs';
import { relevance } from './bench/sections_relevance.mjs';
import {
  corporaDirFrom,
  ensureBundle,
  ensureReference,
  makeLaunchers,
  makeTempDir,
  REF_PACKAGE,
  REF_VERSION,
  removeTree,
  unpackCorpora,
} from './bench/setup.mjs';

const SECTIONS = { startup, read, search, find, relevance, pipeline, memory, scale };
const scriptDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(scriptDir, '..');
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

function parseArgs(argv) {
  const wanted = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: node scripts/bench.mjs [${Object.keys(SECTIONS).join('] [')}]\n`);
    process.exit(0);
  }
  for (const w of wanted) {
    if (!(w in SECTIONS)) {
      process.stderr.write(`Cannot run section: unknown "${w}" (known: ${Object.keys(SECTIONS).join(', ')})\n`);
      process.exit(2);
    }
  }
  return wanted.length === 0 ? Object.keys(SECTIONS) : Object.keys(SECTIONS).filter((s) => wanted.includes(s));
}

/** Asks the reference server for its tools and picks the read and name-search ones. */
async function referenceTools(launch, dir) {
  const tools = await withServer(() => launch.reference(dir), (c) => c.listTools());
  const names = tools.map((t) => t.name);
  const pick = (...cands) => cands.find((n) => names.includes(n)) ?? null;
  const read = pick('read_text_file', 'read_file');
  const searchTool = pick('search_files');
  const schema = tools.find((t) => t.name === searchTool)?.inputSchema?.properties ?? {};
  return { read, search: searchTool, searchArgs: Object.keys(schema), all: names };
}

async function main() {
  const sections = parseArgs(process.argv.slice(2));
  const N = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '7', 10) || 7);
  const started = performance.now();
  const bundle = ensureBundle(repoRoot, log);
  const tmp = makeTempDir();
  const cleanup = () => {
    if (process.env.BENCH_KEEP === '1') log(`kept ${tmp}`);
    else removeTree(tmp);
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const report = new Report();
  const result = { meta: {}, sections: {}, errors: {} };
  try {
    const corpora = corporaDirFrom(scriptDir);
    log(`unpacking corpora from ${corpora} into ${tmp}`);
    const unpacked = unpackCorpora(corpora, tmp);
    const dirs = { linux: unpacked['linux-docs'], node: unpacked['node-api'] };

    const ref = ensureReference(log);
    if (ref.error) report.note('setup', `reference server unavailable, its figures are skipped: ${ref.error}`);
    const launch = makeLaunchers({ bundle, refEntry: ref.entry, tmp });
    let refTools = { read: null, search: null, all: [] };
    if (launch.reference) {
      refTools = await referenceTools(launch, dirs.node);
      log(
        `reference tools used: read=${refTools.read}, search=${refTools.search} (args: ${
          refTools.searchArgs.join(', ')
        })`,
      );
      if (!refTools.read || !refTools.search)
        report.note('setup', `reference lacks expected tools; it has: ${refTools.all.join(', ')}`);
    }
    const tools = { rg: hasCommand('rg'), grep: hasCommand('grep') };
    const version = (cmd) => (hasCommand(cmd) ? String(spawnSync(cmd, ['--version']).stdout).split('\n')[0] : null);
    result.meta = {
      date: new Date().toISOString(),
      runs: N,
      sections,
      node: process.version,
      platform: `${platform()} ${release()}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryMB: Math.round(totalmem() / 1048576),
      docwarden: { bundle, sha256: readSha(bundle) },
      reference: ref.error
        ? { error: ref.error }
        : { package: `${REF_PACKAGE}@${REF_VERSION}`, cached: ref.cached, tools: refTools },
      rg: version('rg'),
      grep: version('grep'),
    };
    const ctx = { N, report, launch, dirs, refTools, tools, tmp, log, bundle };
    for (const name of sections) {
      const t = performance.now();
      log(`section ${name} …`);
      try {
        result.sections[name] = await SECTIONS[name](ctx);
      } catch (e) {
        result.errors[name] = String(e?.stack ?? e);
        report.note(name, `section failed: ${e?.message ?? e}`);
      }
      log(`section ${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    cleanup();
  }
  result.meta.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  result.rows = report.rows;
  result.notes = report.notes;
  process.stdout.write(
    `\ndocwarden benchmark: ${N} runs per figure, node ${process.version}, ${
      result.meta.cpus ?? '?'
    } CPUs, ${result.meta.totalSeconds} s\n\n`,
  );
  report.print();
  const outDir = join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(join(outDir, `${stamp}.json`), json);
  writeFileSync(join(outDir, 'latest.json'), json);
  process.stdout.write(`\nwrote bench-results/${stamp}.json and bench-results/latest.json\n`);
  if (Object.keys(result.errors).length > 0) process.exitCode = 1;
}

function readSha(bundle) {
  try {
    return readFileSync(bundle + '.sha256', 'utf8').split(/\s/)[0] || null;
  } catch {
    return null; // the bundle was built elsewhere without its checksum file
  }
}

main().catch((e) => {
  // Our own "Cannot …" errors say enough; anything else gets its stack.
  const text = e instanceof Error && e.message.startsWith('Cannot ')
    ? e.message
    : `Cannot run benchmark: ${e?.stack ?? e}`;
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
