// hcheck -f keepalived.conf: the checker daemon. Runs in the foreground,
// logs on stderr in keepalived's words, writes events as JSON Lines
// (--events), and prints the IPVS changes it would make as ipvsadm commands
// (there is no IPVS applier yet: always a dry run, said once at start).
// Exit statuses: 0 stopped cleanly (SIGTERM, SIGINT); 1 a configuration or
// start-up error; 2 usage; with -t: 0 good, 5 problems, 6 script security
// (4 fatal, 2 a parameter missing), as keepalived -t.

import { rmSync, writeFileSync } from 'node:fs';
import { booleanFlag, commandLine, ExitCode, integerFlag, parseFlags, stringFlag, usageError, UserError } from '@keepalived-ts/cli';
import { daemonLog, openEventSink, type EventSink } from '@keepalived-ts/daemon';
import type { CheckerEvent } from './checkerDaemon.js';
import { configTest, loadPlan, type CheckerPlan } from './daemonConfig.js';
import { DryRunIpvsApplier } from './ipvsChange.js';

export const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';
const DEFAULT_CONCURRENCY = 100;
const DEFAULT_STATE_FILE = '/tmp/hcheck.json';

export function daemonCli(): ReturnType<typeof commandLine> {
  const cli = commandLine('hcheck');
  cli.usage(`-f FILE [-t] [--events PATH] [--dry-run] [-p PIDFILE] [-D]\n\nRun the virtual_server checkers of a keepalived.conf, as keepalived's checker process does.`);
  cli
    .option('-f, --use-file <file>', `keepalived.conf to read (default ${DEFAULT_CONFIG})`)
    .option('-t, --config-test', 'Check the configuration and exit: 0 good, 5 problems, 6 script security (as keepalived -t)')
    .option('--events <path>', 'JSON Lines of real server and quorum changes to a file, a FIFO, or - for stdout')
    .option('--dry-run', 'Print the IPVS changes as ipvsadm commands instead of making them (the only mode for now)')
    .option('-p, --pid <file>', 'Write the PID to this file')
    .option('--state-file <file>', `Where SIGUSR1 writes every pool's state as JSON (default ${DEFAULT_STATE_FILE})`)
    .option('--concurrency <n>', `Most checks running at once (default ${DEFAULT_CONCURRENCY})`)
    .option('-D, --log-detail', 'Detailed logs: also every check result');
  cli.example('hcheck -t -f /etc/keepalived/keepalived.conf');
  cli.example('hcheck -f /etc/keepalived/keepalived.conf --events /run/hcheck.events');
  cli.example('hcheck -f keepalived.conf --dry-run > ipvs.log');
  return cli;
}

export async function runDaemon(argv: readonly string[]): Promise<number> {
  const cli = daemonCli();
  const parsed = parseFlags(cli, argv);
  const { flags } = parsed;
  if (flags['help']) {
    cli.outputHelp();
    return ExitCode.ok;
  }
  if (parsed.args.length > 0) throw usageError(`unexpected argument ${JSON.stringify(parsed.args[0])} (a check and -f do not go together)`);
  const file = stringFlag(flags, 'useFile') ?? DEFAULT_CONFIG;
  const printDiagnostic = (line: string): void => void process.stderr.write(`${line}\n`);
  if (booleanFlag(flags, 'configTest')) return configTest(file, printDiagnostic);

  const concurrency = integerFlag(flags, 'concurrency', 1, 100_000) ?? DEFAULT_CONCURRENCY;
  const plan = loadPlan(file, printDiagnostic);
  const log = daemonLog(booleanFlag(flags, 'logDetail'));
  const eventsPath = stringFlag(flags, 'events');
  let events: EventSink<CheckerEvent> | undefined;
  try {
    events = eventsPath !== undefined ? openEventSink(eventsPath, (m) => log('warning', m)) : undefined;
  } catch (error) {
    throw new UserError(`--events ${eventsPath}: ${(error as Error).message}`, ExitCode.failure);
  }
  // With the events on stdout, the ipvsadm lines go to stderr so that stdout stays JSON Lines.
  const ipvsOut = eventsPath === '-' ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => process.stdout.write(`${line}\n`);
  log('info', `IPVS: dry run, no change is made: each change is printed as the ipvsadm command that makes it${eventsPath === '-' ? ' (on stderr)' : ''}`);

  // The handlers are in place before anything starts: a signal during start-up must not kill the process half-way.
  let stopRequested: string | undefined;
  let stop: (signal: string) => void = (signal) => void (stopRequested ??= signal);
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  let reload: () => void = () => undefined;
  process.on('SIGHUP', () => reload());
  let dump: () => void = () => undefined;
  process.on('SIGUSR1', () => dump());

  const { CheckerDaemon } = await import('./checkerDaemon.js');
  const daemon = CheckerDaemon.start(plan, { log, applier: new DryRunIpvsApplier(ipvsOut), concurrency, ...(events ? { events } : {}) });
  const pidFile = stringFlag(flags, 'pid');
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  const stateFile = stringFlag(flags, 'stateFile') ?? DEFAULT_STATE_FILE;
  reload = () => {
    log('info', 'Reloading');
    let next: CheckerPlan;
    try {
      next = loadPlan(file, (line) => log('warning', line));
    } catch (error) {
      // A broken file must not take the pools down: keep what runs.
      log('error', `Reload failed, keeping the running configuration: ${(error as Error).message}`);
      return;
    }
    daemon.reload(next);
  };
  dump = () => {
    writeFileSync(stateFile, JSON.stringify(daemon.snapshot(), null, 2) + '\n');
    log('info', `Printing checker data to ${stateFile}`);
  };
  // A configuration whose real servers have no checker leaves nothing else pending: stay until a signal.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise<number>((resolve) => {
    stop = (signal: string): void => {
      clearInterval(keepAlive);
      log('info', `Stopping (${signal})`);
      void daemon.stop().then(() => {
        events?.close();
        if (pidFile) rmSync(pidFile, { force: true });
        log('info', 'Stopped');
        resolve(ExitCode.ok);
        // Raw ICMP sockets and script timers may outlive the pools; the work is done.
        setImmediate(() => process.exit(ExitCode.ok));
      });
    };
    if (stopRequested) stop(stopRequested);
  });
}
