// One router of the lab: its VRRP daemon (vrrpd, or Debian's keepalived with
// --keepalived) and its web server, started, crashed and restarted together.
// Its state is read from the daemon's own log lines, in keepalived's words,
// each stamped with the wall-clock time it was printed.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKeepalived, stripLogDate, type KeepalivedHandle, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import type { NodeSpec } from './topology.js';

export const VRRPD = fileURLToPath(new URL('../tools/vrrpd/dist/vrrpd.js', import.meta.url));
const WEB_SERVER = fileURLToPath(new URL('./webServer.ts', import.meta.url));
// The helper programs are TypeScript too: run them with the loader that runs the demo.
const TSX = import.meta.resolve('tsx');

/** Node, with the TypeScript loader, running one of the demo's helper programs. */
export const helperArgv = (script: string, args: readonly string[]): string[] => [process.execPath, '--import', TSX, script, ...args];

export type RouterState = 'off' | 'starting' | 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'crashed';

export interface LogLine {
  /** Wall-clock milliseconds (Date.now()) when the daemon printed it. */
  readonly at: number;
  readonly text: string;
}

const ENTERING = /\(\S+\) Entering (\w+) STATE/;

/** One run of the daemon: a start, up to its exit. */
interface DaemonRun {
  readonly process: ProcessHandle;
  readonly keepalived?: KeepalivedHandle;
  /** Wall-clock time of the spawn, so that a line's `atMs` becomes a time. */
  readonly spawnedAt: number;
  /** How many of its lines have been read into `log`. */
  read: number;
}

export class RouterNode {
  state: RouterState = 'off';
  /** Every line of every run so far, oldest first. */
  readonly log: LogLine[] = [];
  private run: DaemonRun | undefined;
  private web: ProcessHandle | undefined;
  private runs = 0;
  /** Processes ended on purpose (the crash), whose exit is no surprise. */
  private readonly killed = new Set<ProcessHandle>();

  constructor(
    private readonly lab: Lab,
    readonly spec: NodeSpec,
    readonly configText: string,
    private readonly lifetimeSeconds: number,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Starts the web server and waits until it listens. */
  async startWebServer(): Promise<void> {
    this.web = await this.lab.spawn(this.spec.ns, helperArgv(WEB_SERVER, [this.spec.ns, this.spec.name, String(this.lifetimeSeconds)]));
    await this.web.waitForLine(/^listening on/, { timeoutMs: 10_000, stream: 'stdout' });
  }

  /** Resolves once the daemon has logged its first state (it runs its election from then on). */
  async daemonReady(timeoutMs: number): Promise<void> {
    await this.run?.process.waitForLine(ENTERING, { timeoutMs });
  }

  /** Starts the VRRP daemon and returns the wall-clock time it was started. */
  async startDaemon(): Promise<number> {
    this.runs += 1;
    this.state = 'starting';
    if (this.spec.daemon === 'keepalived') {
      const requested = Date.now();
      // keepalived logs its gratuitous ARPs only with --log-detail; vrrpd always does.
      const keepalived = await startKeepalived(this.lab, this.spec.ns, this.configText, { name: `${this.spec.name}k${this.runs}`, extraArgs: ['--log-detail'] });
      // startKeepalived waits for "Startup complete": date the run from that line.
      const ready = keepalived.process.lines().find((line) => line.text.includes('Startup complete'));
      const spawnedAt = ready ? Date.now() - ready.atMs : requested;
      this.run = { process: keepalived.process, keepalived, spawnedAt, read: 0 };
      return spawnedAt;
    }
    const dir = await this.lab.tempDir(`${this.spec.name}v${this.runs}`);
    const configFile = join(dir, 'keepalived.conf');
    await writeFile(configFile, this.configText);
    const spawnedAt = Date.now();
    const child = await this.lab.spawn(this.spec.ns, [process.execPath, VRRPD, '-f', configFile]);
    this.run = { process: child, spawnedAt, read: 0 };
    return spawnedAt;
  }

  /**
   * A crash: SIGKILL to the daemon and the web server at once. Nothing is
   * cleaned up, as after a real crash: the VIP stays on eth0, no priority-0
   * advert goes out. Returns the wall-clock time of the kill.
   */
  async crash(): Promise<number> {
    const run = this.run;
    if (run === undefined) throw new Error(`${this.name} has no daemon to kill`);
    this.killed.add(run.process);
    if (this.web) this.killed.add(this.web);
    const at = Date.now();
    if (run.keepalived) {
      this.web?.signal('SIGKILL');
      await run.keepalived.stop('SIGKILL');
    } else {
      run.process.signal('SIGKILL');
      this.web?.signal('SIGKILL');
    }
    await Promise.all([run.process.exited, this.web?.exited]);
    this.state = 'crashed';
    return at;
  }

  /** Reads the daemon's new log lines, updates the state, and returns them. */
  readNewLines(): LogLine[] {
    const run = this.run;
    if (run === undefined) return [];
    const lines = run.process.lines();
    const fresh: LogLine[] = [];
    for (; run.read < lines.length; run.read += 1) {
      const line = lines[run.read]!;
      const logLine = { at: run.spawnedAt + line.atMs, text: stripLogDate(line.text) };
      const entering = ENTERING.exec(logLine.text);
      // Lines still in the pipe after a kill tell the past, not the state.
      if (entering && !this.killed.has(run.process)) this.state = entering[1] as RouterState;
      fresh.push(logLine);
    }
    this.log.push(...fresh);
    return fresh;
  }

  /** Why the daemon or the web server is gone although nobody ended it, if it is. */
  unexpectedExit(): string | undefined {
    const gone = (handle: ProcessHandle | undefined): string | undefined => {
      const status = handle?.exitStatus();
      if (handle === undefined || status === undefined || this.killed.has(handle)) return undefined;
      const last = handle.text('stderr').split('\n').slice(-3).join(' / ');
      return `exited by itself (${status.signal ?? `status ${status.code}`})${last ? `: ${last}` : ''}`;
    };
    const daemon = gone(this.run?.process);
    if (daemon) return `${this.name}'s ${this.spec.daemon} ${daemon}`;
    const web = gone(this.web);
    return web ? `${this.name}'s web server ${web}` : undefined;
  }

  /** The first line matching `pattern` printed at or after `since`. */
  firstLine(pattern: RegExp, since: number): LogLine | undefined {
    return this.log.find((line) => line.at >= since && pattern.test(line.text));
  }
}
