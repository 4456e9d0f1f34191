// Architecture rules that read the sources (docs/style.md, "Rules are tests"; docs/security.md, "Controls").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, relative } from 'node:path';
import { importSpecifiers, listSources, REPO, SRC, stripComments } from '../helpers/source_scan.ts';

const files = listSources();
const inRuntime = (rel: string) => rel.startsWith('src/runtime/');
// The updater is a separate bundle that starts servers to verify them (build.mjs keeps it out of the
// server bundle); it may use node:* and spawn, and test/update/one_way.test.ts pins what else it may do.
const inUpdater = (rel: string) => rel.startsWith('src/update/');

function offenders(check: (f: (typeof files)[number]) => string | null): string[] {
  const out: string[] = [];
  for (const f of files) {
    const why = check(f);
    if (why !== null) out.push(`${f.rel}: ${why}`);
  }
  return out;
}

function firstMatch(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  if (!m) return null;
  const line = text.slice(0, m.index).split('\n').length;
  return `line ${line}: ${JSON.stringify(m[0])}`;
}

/** Resolved import targets of a file, relative to the repository ("src/x/y.ts"), or the bare specifier. */
function targets(f: (typeof files)[number]): { spec: string; target: string }[] {
  return importSpecifiers(f.code).map((spec) => ({
    spec,
    target: spec.startsWith('.') ? relative(REPO, join(dirname(f.abs), spec)).split('\\').join('/') : spec,
  }));
}

test('the source tree is found and non-trivial', () => {
  assert.ok(files.length >= 20, `only ${files.length} files under ${SRC}`);
  assert.ok(files.some((f) => f.rel === 'src/main.ts'));
  assert.ok(files.some((f) => inRuntime(f.rel)));
});

test('the comment stripper keeps strings and regexes and blanks comments', () => {
  const code = stripComments(
    "const a = 'x // y'; // gone\nconst r = /\\/\\/[/]/g; /* block\n gone */ const u = 'file://h';",
  );
  assert.match(code, /'x \/\/ y'/);
  assert.doesNotMatch(code, /gone/);
  assert.match(code, /'file:\/\/h'/);
  assert.equal(code.split('\n').length, 3);
});

test('only src/runtime/ imports node: modules or touches process or Deno', () => {
  const bad = offenders((f) => {
    if (inRuntime(f.rel) || inUpdater(f.rel)) return null;
    const nodeImport = targets(f).find((t) => t.spec.startsWith('node:'));
    if (nodeImport) return `imports ${nodeImport.spec}`;
    return firstMatch(
      f.text,
      /\bprocess\s*\.|\bprocess\s*\[|\bDeno\b|\bglobalThis\s*\.\s*(process|Deno)\b|\bBuffer\s*\./,
    );
  });
  assert.deepEqual(bad, [], `host access outside src/runtime/:\n${bad.join('\n')}`);
});

test('only src/policy/resolver.ts makes a ConfinedPath (the brand every read requires)', () => {
  const bad = offenders((
    f,
  ) => (f.rel === 'src/policy/resolver.ts'
    ? null
    : firstMatch(f.text, /\bas\s+(unknown\s+as\s+)?ConfinedPath\b|\bCONFINED\b/))
  );
  assert.deepEqual(bad, [], `ConfinedPath forged outside the resolver:\n${bad.join('\n')}`);
});

test('no file imports anything from outside src/ (zero runtime dependencies)', () => {
  const bad = offenders((f) => {
    for (const t of targets(f)) {
      if (t.spec.startsWith('node:')) continue;
      if (!t.spec.startsWith('.')) return `imports package ${JSON.stringify(t.spec)}`;
      if (!t.target.startsWith('src/')) return `imports ${t.spec} (outside src/)`;
      if (!t.target.endsWith('.ts')) return `imports ${t.spec} without a .ts extension`;
    }
    return null;
  });
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('no file spawns processes, evaluates code, opens the network or writes to the console', () => {
  const spawning = [String.raw`\bchild_process\b`, String.raw`\bexecSync\b`, String.raw`\bspawn(?:Sync)?\s*\(`];
  const others = [
    String.raw`\beval\s*\(`,
    String.raw`\bnew\s+Function\b`,
    String.raw`\bFunction\s*\(`,
    String.raw`['"](?:node:)?(?:net|http|https|http2|dgram|vm|worker_threads|cluster|tls|dns|inspector)['"]`,
    String.raw`\bfetch\s*\(`,
    String.raw`\bWebSocket\b`,
    String.raw`\bXMLHttpRequest\b`,
    String.raw`\bconsole\s*\.\s*log\b`,
    String.raw`\bimport\s*\(`,
    String.raw`\brequire\s*\(`,
    String.raw`\bDeno\s*\.\s*(?:Command|run|connect|listen)\b`,
  ];
  const forbidden = new RegExp([...spawning, ...others].join('|'));
  const forbiddenInUpdater = new RegExp(others.join('|'));
  const bad = offenders((f) => firstMatch(f.code, inUpdater(f.rel) ? forbiddenInUpdater : forbidden));
  assert.deepEqual(bad, [], `forbidden APIs:\n${bad.join('\n')}`);
});

test('every file starts with a header comment', () => {
  const bad = offenders((f) => {
    const head = f.text.split('\n').slice(0, 3).join('\n');
    return /^\s*(\/\/|\/\*)/m.test(head) ? null : 'no header comment in the first lines';
  });
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('every file is under 300 lines', () => {
  const bad = offenders((f) => {
    const lines = f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0);
    return lines >= 300 ? `${lines} lines` : null;
  });
  assert.deepEqual(bad, [], `files of 300 lines or more:\n${bad.join('\n')}`);
});

// Lines of at most 120 characters (docs/style.md, "One concern per module"): src/ keeps its hand layout,
// which the formatter leaves alone, so this test holds the width there, the updater included.
const MAX_LINE_CHARS = 120;

test(`no source line is longer than ${MAX_LINE_CHARS} characters`, () => {
  const bad: string[] = [];
  for (const f of files) {
    f.text.split('\n').forEach((line, i) => {
      if (line.length > MAX_LINE_CHARS) bad.push(`${f.rel}:${i + 1}: ${line.length} characters`);
    });
  }
  assert.deepEqual(bad, [], `lines over ${MAX_LINE_CHARS} characters:\n${bad.join('\n')}`);
});

test('no `enum` or `namespace` declarations', () => {
  const bad = offenders((f) =>
    firstMatch(
      f.code,
      /^\s*(?:export\s+)?(?:declare\s+)?(?:const\s+)?(?:enum|namespace|module)\s+[A-Za-z_$][\w$]*\s*\{/m,
    )
  );
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('nothing imports src/main.ts (the one entry point)', () => {
  const bad = offenders((f) => (targets(f).some((t) => t.target === 'src/main.ts') ? 'imports src/main.ts' : null));
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('lower layers never import the MCP, tool, CLI or config layers (dependencies point one way)', () => {
  const lower = ['policy', 'search', 'formats', 'validate', 'text', 'jsonrpc', 'transport', 'errors'].map((d) =>
    `src/${d}/`
  );
  const upper = ['src/mcp/', 'src/tools/', 'src/cli/', 'src/config/', 'src/main.ts', 'src/serve.ts'];
  const bad = offenders((f) => {
    if (!lower.some((l) => f.rel.startsWith(l))) return null;
    const hit = targets(f).find((t) => upper.some((u) => t.target.startsWith(u)));
    return hit ? `imports ${hit.spec}` : null;
  });
  assert.deepEqual(bad, [], `wrong import direction:\n${bad.join('\n')}`);
});

test('no `export *` (small public surface)', () => {
  const bad = offenders((f) => firstMatch(f.code, /\bexport\s+\*/));
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('file names are snake_case', () => {
  const bad = offenders((f) => (/^[a-z0-9_]+\.ts$/.test(f.rel.split('/').pop() ?? '') ? null : 'not snake_case'));
  assert.deepEqual(bad, [], bad.join('\n'));
});

// The host boundary in three questions an auditor asks (docs/audit.md, "Boundary tests"). Every module but
// main.ts receives the host as a `Host` value, so the answers come from where its capabilities are named.

test('only src/main.ts imports runtime/ code; every other server module imports runtime/ types only', () => {
  const bad = offenders((f) => {
    if (inRuntime(f.rel) || inUpdater(f.rel) || f.rel === 'src/main.ts') return null;
    const valueImport = [...f.code.matchAll(/\bimport\s+(?!type\b)[^;]*?\bfrom\s*['"]([^'"]+)['"]/g)]
      .map((m) => m[1] as string)
      .find((spec) => relative(REPO, join(dirname(f.abs), spec)).split('\\').join('/').startsWith('src/runtime/'));
    return valueImport ? `imports code from ${valueImport}` : null;
  });
  assert.deepEqual(bad, [], `runtime code imported outside main.ts:\n${bad.join('\n')}`);
});

/** Host capabilities that read, write or open something, and the only server modules that may name them. */
const HOST_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  // documents; the config (its descriptor's owner and mode are judged); the operator's log for verify-log
  openRead: ['src/policy/resolver.ts', 'src/config/load.ts', 'src/cli/verify_log.ts'],
  readSelf: ['src/main.ts'], // --version hashes the running file
  openAppend: ['src/audit/log.ts'],
  renameFile: ['src/audit/rotate.ts'],
  writeStdout: ['src/transport/writer.ts', 'src/main.ts'], // main: subcommand output, never while serving
  onStdin: ['src/serve.ts'],
  readdir: ['src/policy/walker.ts', 'src/cli/verify_log.ts', 'src/config/census.ts'],
};

test('host capabilities that open files, list folders or write stdout are named only by their modules', () => {
  const bad: string[] = [];
  for (const [capability, allowed] of Object.entries(HOST_CAPABILITIES)) {
    const re = new RegExp(`\\b${capability}\\b`);
    for (const f of files) {
      if (inRuntime(f.rel) || inUpdater(f.rel) || allowed.includes(f.rel)) continue;
      const hit = firstMatch(f.code, re);
      if (hit) bad.push(`${f.rel}: ${hit} (only ${allowed.join(', ')} may)`);
    }
    for (const rel of allowed)
      assert.ok(
        re.test(files.find((f) => f.rel === rel)?.code ?? ''),
        `${rel} no longer uses ${capability}: update the list`,
      );
  }
  assert.deepEqual(bad, [], `host capabilities used outside their modules:\n${bad.join('\n')}`);
});

test('the protocol, tool and lower layers never import the CLI', () => {
  const bad = offenders((f) => {
    if (!/^src\/(mcp|tools|policy|search|formats|validate|text|jsonrpc|transport|audit|errors)\//.test(f.rel))
      return null;
    const hit = targets(f).find((t) => t.target.startsWith('src/cli/'));
    return hit ? `imports ${hit.spec}` : null;
  });
  assert.deepEqual(bad, [], `the server reaches the CLI:\n${bad.join('\n')}`);
});

test('no cast silences the compiler: no `as unknown as` and no `as never` in src/', () => {
  const bad = offenders((f) => firstMatch(f.code, /\bas\s+unknown\s+as\b|\bas\s+never\b/));
  assert.deepEqual(
    bad,
    [],
    `casts that defeat the type checker (docs/style.md, "Types carry meaning"):\n${bad.join('\n')}`,
  );
});
