// Hand-written hostile cases of the "protocol" and "exhaustion" families: root-override arguments,
// unknown and prototype-named keys, wrong types, arrays where strings belong, huge/negative/fractional
// numbers, prototype-named methods and tool names, hostile resource URIs and completion templates,
// and walks over a tree wider than limits.walkEntries. Each carries its own judge.
import { HOSTILE_TEMPLATES, hostileUris, PROTOTYPE_METHODS } from './attack_cases.ts';
import { brief, textOf, toolResult } from './attack_judge.ts';
import type { CustomCase } from './attack_runner.ts';
import { readDocPage } from './e2e_fixtures.ts';
import type { Json, Message } from './harness.ts';
import type { HostileWorld } from './hostile_fixture.ts';

const VALID: Readonly<Record<string, Json>> = {
  list_docs: {},
  read_doc: { path: 'a.md' },
  outline_doc: { path: 'a.md' },
  doc_info: { path: 'a.md' },
  search_docs: { query: 'Inside' },
  find_docs: { pattern: '*.md' },
};
const PATH_KEY: Readonly<Record<string, string>> = {
  list_docs: 'path',
  read_doc: 'path',
  outline_doc: 'path',
  doc_info: 'path',
  search_docs: 'path',
  find_docs: 'pattern',
};

/** A tool result with isError whose text matches `re`. */
function isErrorMatching(re: RegExp) {
  return (m: Message): string | null => {
    const r = toolResult(m);
    if (r === null) return `JSON-RPC error instead of an isError result: ${brief(m)}`;
    if (r.isError !== true) return `accepted: ${brief(m)}`;
    return re.test(textOf(m)) ? null : `error does not name the problem (${re}): ${JSON.stringify(textOf(m))}`;
  };
}

function rpcError(code: number) {
  return (
    m: Message,
  ):
    | string
    | null => (m.error?.code === code && m.result === undefined
      ? null
      : `expected JSON-RPC error ${code}: ${brief(m)}`);
}

const anyError = (
  m: Message,
): string | null => (m.error !== undefined || toolResult(m)?.isError === true ? null : `accepted: ${brief(m)}`);

const call = (name: string, args: unknown): CustomCase['sent'] => ({
  method: 'tools/call',
  params: { name, arguments: args as Json },
});

export function protocolCases(w: HostileWorld): CustomCase[] {
  const out: CustomCase[] = [];
  const add = (label: string, sent: CustomCase['sent'], judge: CustomCase['judge']) => out.push({ label, sent, judge });
  for (const [tool, valid] of Object.entries(VALID)) {
    // Root overrides: no argument can name a folder, only a configured root name.
    for (const root of ['/', '.', '..', w.base, w.root, w.sibling, 'docs-private', '', ' docs', 'docs\n', 'outside']) {
      add(`${tool} root=${JSON.stringify(root)}`, call(tool, { ...valid, root }), isErrorMatching(/root/i));
    }
    for (
      const key of [
        'docs_dir',
        'rootPath',
        'basePath',
        'allowed_directories',
        'cwd',
        'followSymlinks',
        'hidden',
        'symlinks',
        'maxFileBytes',
        'roots',
      ]
    ) {
      add(
        `${tool} unknown key ${key}`,
        call(tool, { ...valid, [key]: key === 'followSymlinks' || key === 'hidden' ? true : w.base }),
        isErrorMatching(new RegExp(`unknown key "${key}"`)),
      );
    }
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      // Built by JSON.parse so that "__proto__" is an own key that JSON.stringify sends as is.
      const args = JSON.parse(
        `{${
          Object.entries(valid).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`).join('')
        }"${key}":{"path":"../secret.md","root":"/"}}`,
      ) as Json;
      add(`${tool} key ${key}`, call(tool, args), isErrorMatching(new RegExp(`"${key}"`)));
    }
    const pathKey = PATH_KEY[tool] as string;
    for (const bad of [['..', '.env'], ['a.md'], {}, { toString: '../secret.md' }, 42, null, true, 1e308]) {
      add(
        `${tool} ${pathKey}=${JSON.stringify(bad)}`,
        call(tool, { ...valid, [pathKey]: bad }),
        isErrorMatching(new RegExp(`\`${pathKey}\` must be`)),
      );
    }
    add(
      `${tool} ${pathKey} of 100 KB`,
      call(tool, { ...valid, [pathKey]: '../'.repeat(34_000) + 'secret.md' }),
      isErrorMatching(/at most \d+ characters/),
    );
    add(`${tool} arguments as an array`, call(tool, [valid]), rpcError(-32602));
    add(`${tool} arguments as a string`, call(tool, '../secret.md'), rpcError(-32602));
  }
  // Numbers: huge, negative, fractional, and 1e308 everywhere a number goes.
  const numbers: [string, Json, string][] = [
    ['list_docs', { depth: 1e308 }, 'depth'],
    ['list_docs', { depth: -1 }, 'depth'],
    ['list_docs', { depth: 1.5 }, 'depth'],
    ['list_docs', { depth: 0 }, 'depth'],
    ['list_docs', { limit: 1e308 }, 'limit'],
    ['list_docs', { limit: -5 }, 'limit'],
    ['list_docs', { limit: 0.5 }, 'limit'],
    ['read_doc', { path: 'a.md', startLine: -1 }, 'startLine'],
    ['read_doc', { path: 'a.md', startLine: 1e308 }, 'startLine'],
    ['read_doc', { path: 'a.md', endLine: 2.5 }, 'endLine'],
    ['read_doc', { path: 'a.md', endLine: -1e308 }, 'endLine'],
    ['search_docs', { query: 'a', limit: 1e308 }, 'limit'],
    ['search_docs', { query: 'a', limit: -1 }, 'limit'],
    ['search_docs', { query: 'a', limit: 1.5 }, 'limit'],
    ['search_docs', { query: 'a', contextLines: 1e9 }, 'contextLines'],
    ['search_docs', { query: 'a', contextLines: -1 }, 'contextLines'],
    ['search_docs', { query: 'a', contextLines: 1e308 }, 'contextLines'],
    ['find_docs', { pattern: '*', limit: 1e308 }, 'limit'],
    ['read_doc', { path: 'a.md', lineNumbers: 'yes' }, 'lineNumbers'],
    ['search_docs', { query: 'a', caseSensitive: 1 }, 'caseSensitive'],
    ['search_docs', { query: 'a', mode: 'REGEX' }, 'mode'],
    ['search_docs', { query: 'a', mode: ['regex'] }, 'mode'],
  ];
  for (const [tool, args, field] of numbers)
    add(`${tool} ${JSON.stringify(args)}`, call(tool, args), isErrorMatching(new RegExp(`\`${field}\``)));
  // Method names and tool names that look like object properties.
  for (const method of PROTOTYPE_METHODS)
    add(`method ${JSON.stringify(method)}`, { method, params: {} }, rpcError(-32601));
  for (
    const name of [
      '__proto__',
      'constructor',
      'toString',
      'read_doc ',
      'READ_DOC',
      '../read_doc',
      'read_doc\u0000',
      'hasOwnProperty',
      '',
    ]
  ) {
    add(`tool name ${JSON.stringify(name)}`, call(name, { path: 'a.md' }), rpcError(-32602));
  }
  for (
    const params of [{ arguments: { path: 'a.md' } }, { name: 42, arguments: {} }, {
      name: ['read_doc'],
      arguments: {},
    }]
  ) {
    add(`tools/call ${JSON.stringify(params)}`, { method: 'tools/call', params: params as Json }, rpcError(-32602));
  }
  // Resource URIs and completion templates that no path spelling covers.
  for (const uri of hostileUris(w))
    add(`resources/read ${JSON.stringify(uri.slice(0, 80))}`, { method: 'resources/read', params: { uri } }, anyError);
  for (const uri of [42, null, ['docs://docs/a.md'], { uri: 'docs://docs/a.md' }])
    add(
      `resources/read uri=${JSON.stringify(uri)}`,
      { method: 'resources/read', params: { uri } as Json },
      rpcError(-32602),
    );
  for (const uri of HOSTILE_TEMPLATES) {
    add(`completion template ${uri}`, {
      method: 'completion/complete',
      params: { ref: { type: 'ref/resource', uri }, argument: { name: 'path', value: '' } },
    }, rpcError(-32602));
  }
  add('completion of a 2,000-char value', {
    method: 'completion/complete',
    params: {
      ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
      argument: { name: 'path', value: '../'.repeat(700) },
    },
  }, rpcError(-32602));
  add('completion of a prompt ref', {
    method: 'completion/complete',
    params: { ref: { type: 'ref/prompt', name: '__proto__' }, argument: { name: 'path', value: '' } },
  }, rpcError(-32602));
  // Binary and huge documents: refused as text with a reason, described without their bytes, paged.
  add('read_doc of a binary document', call('read_doc', { root: 'bulk', path: 'blob.md' }), isErrorMatching(/binary/));
  add(
    'outline_doc of a binary document',
    call('outline_doc', { root: 'bulk', path: 'blob.md' }),
    isErrorMatching(/binary/),
  );
  add('doc_info of a binary document', call('doc_info', { root: 'bulk', path: 'blob.md' }), (m) => {
    const sc = toolResult(m)?.structuredContent;
    return sc?.['text'] === false && sc['size'] === 11 ? null : `binary not described as such: ${brief(m)}`;
  });
  add(
    'resources/read of a binary document',
    { method: 'resources/read', params: { uri: 'docs://bulk/blob.md' } },
    (m) =>
      m.error?.code === -32602 && /files\.binary/.test(m.error.message)
        ? null
        : `binary resource not refused by policy: ${brief(m)}`,
  );
  for (const startLine of [1, 250_000, 500_000]) {
    add(
      `read_doc of the 40 MB document from line ${startLine}`,
      call('read_doc', { root: 'bulk', path: 'big.md', startLine }),
      (m) => {
        const r = toolResult(m);
        if (r === null || r.isError === true) return `not served: ${brief(m)}`;
        const size = JSON.stringify(m).length;
        const page = readDocPage({ ...r, content: r.content ?? [] });
        return page?.['startLine'] === startLine && size < 110 * 1024
          ? null
          : `page of ${size} bytes from ${String(page?.['startLine'])}`;
      },
    );
  }
  add(
    'search_docs over the 40 MB document, one hit',
    call('search_docs', { root: 'bulk', query: 'Chapter', mode: 'literal', limit: 1 }),
    (m) => {
      const hits = toolResult(m)?.structuredContent?.['hits'];
      return Array.isArray(hits) && hits.length === 1 ? null : `search not bounded to 1 hit: ${brief(m)}`;
    },
  );
  // A tree wider than limits.walkEntries: a walk that must visit everything stops with a named limit.
  add(
    'find_docs over a tree wider than walkEntries',
    call('find_docs', { root: 'wide', pattern: '**/none.md' }),
    isErrorMatching(/limits\.walkEntries/),
  );
  add(
    'search_docs over a tree wider than walkEntries',
    call('search_docs', { root: 'wide', query: 'none', mode: 'literal' }),
    isErrorMatching(/limits\.(walkEntries|searchFiles)/),
  );
  return out;
}
