// A node:test reporter for scripts/test.mjs: one JSON line per finished test or suite (passed, failed or
// skipped), with the names of the suites around it and the first lines of a failure's error. The runner
// reads these lines to print its summary; people read the `spec` reporter's output next to it.
export default async function* jsonLines(source) {
  const open = new Map(); // file -> names of the tests started and not yet finished, by nesting
  const stderr = new Map(); // file -> what it wrote to stderr: the reason when a whole file fails to load
  for await (const event of source) {
    const data = event.data;
    if (event.type === 'test:stderr') stderr.set(data.file, (stderr.get(data.file) ?? '') + data.message);
    if (event.type === 'test:start') {
      const names = open.get(data.file) ?? [];
      names[data.nesting] = data.name;
      open.set(data.file, names);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const path = [...(open.get(data.file) ?? []).slice(0, data.nesting), data.name];
    const line = { outcome: event.type === 'test:fail' ? 'failed' : 'passed', file: data.file ?? null, path };
    if (data.skip !== undefined || data.todo !== undefined) line.outcome = 'skipped';
    line.suite = data.details?.type === 'suite';
    if (event.type === 'test:fail') {
      const error = data.details?.error;
      line.failureType = error?.failureType ?? null;
      const cause = error?.cause ?? error;
      const whole = data.name === data.file && stderr.has(data.file); // the file itself failed, not a test in it
      line.error = firstLines(whole ? stderr.get(data.file) : String(cause?.stack ?? cause));
    }
    yield JSON.stringify(line) + '\n';
  }
}

/** The message and the first stack frame (where the test failed), without blank lines: at most 8 lines. */
function firstLines(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const frame = lines.findIndex((l) => /^\s+at /.test(l));
  return lines.slice(0, frame === -1 ? 8 : Math.min(frame + 1, 8)).join('\n');
}
