// Entry point: argv -> config -> one operator command (help, version, verify-log, check, launch, call) or
// serving (src/serve.ts). The host adapter is created and the sandbox probed here, once; nothing below
// touches the runtime directly.
import { runCall } from './cli/call.ts';
import { parseArgs, USAGE, UsageError } from './cli/args.ts';
import { grantReport, runCheck } from './cli/check.ts';
import { LaunchError, runLaunch, terminalHint } from './cli/launch.ts';
import { runVerifyLog } from './cli/verify_log.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { selfAudit } from './config/self_audit.ts';
import { SERVER_VERSION } from './mcp/handshake_era.ts';
import type { Host } from './runtime/host.ts';
import { createNodeHost } from './runtime/node_host.ts';
import { launchFacts } from './runtime/launch_facts.ts';
import { bundlePath, probeGrants } from './runtime/permissions.ts';
import { confinementLine, fail, openSession, serve } from './serve.ts';

async function main(host: Host): Promise<void> {
  const options = parseArgs(host.argv);
  if (options.command.kind === 'help') {
    await host.writeStdout(USAGE);
    return host.exit(0);
  }
  if (options.command.kind === 'version') {
    const self = host.readSelf();
    await host.writeStdout(`docwarden ${SERVER_VERSION}\nsha256 ${self ? host.sha256Hex(self) : 'unavailable'}\n`);
    return host.exit(0);
  }
  if (options.command.kind === 'verify-log') {
    const r = await runVerifyLog(host, options.command.file, options.command.receipt);
    await host.writeStdout(r.output);
    return host.exit(r.code);
  }
  const config = await loadConfig(host, options);
  const given = { rootsGiven: options.rootArgs.length > 0, logGiven: options.logPath !== null };
  if (options.command.kind === 'check') {
    const grants = selfAudit(host, config, probeGrants, bundlePath());
    await host.writeStdout(`${await runCheck(host, config)}${grantReport(grants)}\n${confinementLine(host)}\n`);
    return host.exit(0);
  }
  if (options.command.kind === 'launch') {
    const r = await runLaunch(host, config, { ...options.command.launch, ...given }, launchFacts());
    await host.writeStdout(r.stdout);
    host.writeStderr(r.notes);
    return host.exit(0);
  }
  const audit = await openSession(host, config, selfAudit(host, config, probeGrants, bundlePath()));
  if (options.command.kind === 'call') {
    // A call from the command line is a request like any other: its record goes to the configured log.
    const r = await runCall(host, config, audit, options.command.tool, options.command.json);
    audit.write({ event: 'stop', outcome: 'info', reason: 'call_done' });
    audit.close();
    await host.writeStdout(r.output);
    return host.exit(r.ok ? 0 : 1);
  }
  serve(host, config, audit, host.stdinIsTty() ? terminalHint(launchFacts(), config, given) : null);
}

const host = createNodeHost();
// The operator's mistakes (arguments, config, launch options) end with their message and exit status 2.
main(host).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof LaunchError) fail(host, err.message);
  throw err;
});
