// The command line (src/cli/args.ts): the shared options (--config, --root, --, --log, --flag=value), the
// subcommands with their exact arity, and every mistake refused by name before anything is read.
// (launch's and verify-log's own flags: test/cli/launch.test.ts and test/cli/verify_log.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, USAGE, UsageError } from '../../src/cli/args.ts';

test('no command serves; the shared options are read wherever they stand', () => {
  assert.deepEqual(parseArgs(['--root', 'a', '--config', 'c.json', '--root=b', '--log', 'stderr']), {
    command: { kind: 'serve' },
    configPath: 'c.json',
    rootArgs: ['a', 'b'],
    logPath: 'stderr',
  });
  assert.deepEqual(parseArgs(['--root', 'a', '--', '--config', '-x', 'd']).rootArgs, ['a', '--config', '-x', 'd']);
  assert.equal(parseArgs(['--config=a=b.json']).configPath, 'a=b.json', 'split at the first "=" only');
});

test('subcommands: check, call TOOL JSON, help and version', () => {
  assert.deepEqual(parseArgs(['check', '--config', 'x']).command, { kind: 'check' });
  assert.deepEqual(parseArgs(['call', 'read_doc', '{"path":"a"}']).command, {
    kind: 'call',
    tool: 'read_doc',
    json: '{"path":"a"}',
  });
  assert.deepEqual(parseArgs(['-h']).command, { kind: 'help' });
  assert.deepEqual(parseArgs(['check', '--version']).command, { kind: 'version' }, '--version wins over a command');
  assert.match(USAGE, /^Usage: docwarden \[command\] \[options\]/);
  for (
    const flag of ['--config FILE', '--root DIR', '--log FILE', 'check', 'call TOOL JSON', 'verify-log FILE', 'launch']
  ) {
    assert.ok(USAGE.includes(flag), flag);
  }
});

test('every mistake is a UsageError naming it', () => {
  const cases: [string[], RegExp][] = [
    [['--verbose'], /unknown option "--verbose"; see --help/],
    [['-x'], /unknown option "-x"/],
    [['serve'], /unknown command "serve"/],
    [['check', 'extra'], /unknown command "check"/],
    [['call', 'read_doc'], /call needs exactly TOOL and JSON/],
    [['call', 'a', 'b', 'c'], /call needs exactly TOOL and JSON/],
    [['--config'], /--config needs a value/],
    [['--root', ''], /--root needs a value/],
    [['--log='], /--log needs a value/],
    [['--runtime', 'node'], /--runtime is an option of the launch command/],
    [['check', '--file', 'x'], /--file is an option of verify-log/],
    [['x'.repeat(100)], new RegExp(`unknown command "${'x'.repeat(40)}"; see`)],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      argv.join(' '),
    );
  }
  assert.throws(() => parseArgs(['--nope']), /^Error: Cannot parse arguments: /);
});
