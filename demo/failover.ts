// The README's first command: VRRP failover you can watch, in a minute.
// Builds a lab of network namespaces (routers node1..nodeN running vrrpd on
// one switch, each serving HTTP on the VIP, and a client asking for it ten
// times a second), crashes the master, measures the failover as the client
// and the logs see it, brings the node back to show preemption, and removes
// everything, also on Ctrl-C.
//
// Exit status: 0 done; 1 something did not happen in time (or no root);
// 2 usage; killed by SIGINT/SIGTERM when interrupted (after the clean-up).

import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { colourFor, ExitCode, runMain, UserError, type Colour } from '@keepalived-ts/cli';
import { listNamespaces, runCommand, uniquePrefix, waitFor, WaitTimeoutError, withLab, type Lab } from '@keepalived-ts/test-utils';
import { ClientWatch, describeError, outcomeOf, REQUEST_INTERVAL_MS, REQUEST_TIMEOUT_MS } from './clientWatch.js';
import type { RequestResult } from './httpClient.js';
import { parseCommandLine, type DemoOptions } from './options.js';
import { RouterNode, VRRPD, type LogLine, type RouterState } from './routerNode.js';
import { Screen } from './screen.js';
import { seconds, summaryLines, type Measurements, type Switchover } from './summary.js';
import { buildTopology, keepalivedConf, VIP, vipHolders, type Topology } from './topology.js';

const ENTERING_MASTER = /\(\S+\) Entering MASTER STATE/;
const ENTERING_ANY = /\(\S+\) Entering \w+ STATE/;
const GARP = new RegExp(`Sending gratuitous ARP on \\S+ for ${VIP.replaceAll('.', '\\.')}`);
const STALE_VIP = /removed stale VIP/;
// A safety net only: the helpers also end with the demo, and the demo ends far sooner.
const HELPER_LIFETIME_SECONDS = 600;
const TICK_MS = 100;

/** Something that should have happened did not: `demo: message`, status 1. */
class DemoFailure extends UserError {
  constructor(message: string) {
    super(message, ExitCode.failure);
  }
}

/**
 * Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time (RFC 3768 and
 * RFC 5798 section 6.1): VRRPv2 skews by (256 - Priority) / 256 seconds,
 * VRRPv3 by that fraction of the interval.
 */
function masterDownIntervalMs(options: DemoOptions, priority: number): number {
  const advertMs = options.advertIntSeconds * 1000;
  const skewMs = options.vrrpVersion === 2 ? ((256 - priority) * 1000) / 256 : ((256 - priority) * advertMs) / 256;
  return 3 * advertMs + Math.floor(skewMs);
}

/** How long each step may take, from the advert interval. */
function budgets(options: DemoOptions): { masterMs: number; answerMs: number; holdMs: number } {
  const advertMs = options.advertIntSeconds * 1000;
  // Master_Down_Interval is 3 intervals plus the skew (< 1 interval), so 4 intervals and slack for slow starts.
  return {
    masterMs: Math.max(15_000, 4 * advertMs + 5_000),
    // A new master sends its gratuitous ARPs at once; the client needs one more request after it.
    answerMs: 5_000 + 2 * advertMs,
    // Long enough to watch the steady state, short enough to keep the run near half a minute.
    holdMs: Math.min(5_000, Math.max(2_000, 3 * advertMs)),
  };
}

async function preflight(options: DemoOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new DemoFailure('needs root: it makes network namespaces (try: sudo bash scripts/demo.sh)');
  try {
    await access(VRRPD);
  } catch {
    throw new DemoFailure(`${VRRPD} is missing: build it with "node scripts/build.mjs" (bash scripts/demo.sh does)`);
  }
  if (options.keepalived) {
    const result = await runCommand(['keepalived', '--version'], { timeoutMs: 5_000 });
    if (result.code !== 0) throw new DemoFailure(`--keepalived needs Debian's keepalived: apt-get install keepalived (bash scripts/setup.sh does)`);
  }
}

async function runDemo(options: DemoOptions): Promise<number> {
  const startedAt = Date.now();
  const colour = colourFor(process.stdout, options.noColor);
  const screen = new Screen(process.stdout, colour, startedAt);
  const prefix = options.prefix ?? uniquePrefix('demo');
  const budget = budgets(options);

  // withLab tears the lab down on SIGINT/SIGTERM and then re-raises the
  // signal; this handler only stops the demo's own output meanwhile, and
  // makes sure that a step failing because its processes were just killed
  // does not end the process before the teardown has finished.
  let interrupted: NodeJS.Signals | undefined;
  let labAlive = false;
  let stopTicker = (): void => undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
    stopTicker();
    screen.close();
    if (!labAlive) {
      // No lab to clean up: end as the signal says.
      process.kill(process.pid, signal);
      return;
    }
    process.stderr.write(`\ndemo: ${signal}: tearing down the lab (namespaces ${prefix}-*) ...\n`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A closed terminal would end the demo before withLab could clean up: make it a SIGTERM.
  const onHangup = (): void => {
    process.kill(process.pid, 'SIGTERM');
  };
  process.on('SIGHUP', onHangup);

  const settingText = `VRRPv${options.vrrpVersion}, advert_int ${options.advertIntText} s`;
  screen.print(colour.bold(`keepalived-ts demo: VRRP failover in network namespaces (${settingText}, ${options.nodes} routers)`));
  screen.print(`lab prefix: ${prefix} (every namespace is ${prefix}-NAME; \`ip netns list | grep ${prefix}\` shows them while it runs)`);

  let measurements: Measurements | undefined;
  labAlive = true;
  try {
    // withLab registers its SIGINT/SIGTERM clean-up as it is called.
    await withLab(prefix, async (lab) => {
      try {
        const story = new Story(lab, options, screen, budget);
        stopTicker = () => story.stopTicker();
        try {
          measurements = await story.run();
        } finally {
          story.stopTicker();
        }
        screen.heading(`Tearing down: stopping every process, deleting ${lab.namespaceNames.length} namespaces (and with them every link)`);
      } catch (error) {
        await waitOutInterruption(() => interrupted);
        throw error;
      }
    });
  } finally {
    labAlive = false;
    screen.close();
  }
  if (interrupted !== undefined) await waitOutInterruption(() => interrupted);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onHangup);

  const left = await listNamespaces(`${prefix}-`);
  if (left.length > 0) throw new DemoFailure(`namespaces left behind: ${left.join(' ')}`);
  screen.print('');
  if (measurements) for (const line of summaryLines(measurements, colour)) screen.print(line);
  screen.print('');
  screen.print(colour.green.bold(`Done in ${seconds(Date.now() - startedAt)}. Nothing left behind: no namespace ${prefix}-*, no link, no process.`));
  return ExitCode.ok;
}

/**
 * When a signal came, withLab is tearing the lab down and will re-raise it:
 * a step that failed meanwhile (its processes were killed) must not end the
 * process first. Bounded: withLab gives up its teardown after 10 s.
 */
async function waitOutInterruption(interrupted: () => NodeJS.Signals | undefined): Promise<void> {
  // The signal may be delivered a moment after the children it killed have gone.
  await sleep(300);
  const signal = interrupted();
  if (signal === undefined) return;
  await sleep(15_000);
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}

/** The demo's steps, in order, over one lab. */
class Story {
  private readonly colour: Colour;
  private routers: RouterNode[] = [];
  private client: ClientWatch | undefined;
  private topology: Topology | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** Per router: whether the first GARP since its last "Entering MASTER STATE" has been shown. */
  private readonly garpShown = new Map<string, boolean>();
  private lastOutcome: { key: string; since: number; count: number } | undefined;
  private readonly vipPath: string[] = [];
  private tickError: Error | undefined;

  constructor(
    private readonly lab: Lab,
    private readonly options: DemoOptions,
    private readonly screen: Screen,
    private readonly budget: { masterMs: number; answerMs: number; holdMs: number },
  ) {
    this.colour = screen.colour;
  }

  async run(): Promise<Measurements> {
    const { colour, options } = this;
    const screen = this.flushing();
    screen.heading('Building the lab: one switch, the routers and a client, each in its own network namespace');
    const topology = await buildTopology(this.lab, options);
    this.topology = topology;
    this.routers = topology.nodes.map((spec) => new RouterNode(this.lab, spec, keepalivedConf(spec, options), HELPER_LIFETIME_SECONDS));
    for (const node of topology.nodes) {
      screen.event(this.label(node.name), `${node.address}/24 on eth0 in ${node.ns}: ${node.daemon}, priority ${node.priority}`);
    }
    screen.event(this.label('client'), `${topology.clientAddress}/24 on eth0 in ${topology.clientNs}`);

    screen.heading('Starting a web server on every router: 0.0.0.0:80 answers "served by NODE"');
    await Promise.all(this.routers.map((router) => router.startWebServer()));
    for (const router of this.routers) screen.event(this.label(router.name), `web server listening on 0.0.0.0:80 in ${router.spec.ns}`);
    this.startTicker();

    const [first, ...others] = this.routers as [RouterNode, ...RouterNode[]];
    const names = this.routers.map((r) => `${r.name} ${r.spec.daemon} ${r.spec.priority}`).join(', ');
    screen.heading(`Starting the routers (${names}), all as BACKUP; each reads a keepalived.conf like node1's:`);
    for (const line of this.routers[0]!.configText.trimEnd().split('\n')) screen.print(colour.dim(`    ${line}`));
    // node1 first, the others once it runs its election: with adverts 0.1 s apart the
    // skews differ by milliseconds, less than node and vrrpd take to start, and a
    // router started late would otherwise just as well win at first and be preempted.
    const startAt = await first.startDaemon();
    await first.daemonReady(10_000);
    await Promise.all(others.map((router) => router.startDaemon()));
    await this.until(`${first.name} to become master`, this.budget.masterMs, () => {
      if (first.state === 'MASTER' && others.every((r) => r.state === 'BACKUP')) return true;
      return undefined;
    }, () => this.noMasterReason(first, startAt));
    const firstMasterAt = first.firstLine(ENTERING_MASTER, startAt)?.at ?? Date.now();
    screen.print(colour.green(`${first.name} is master ${seconds(firstMasterAt - startAt)} after the start`));
    screen.print(
      colour.dim(
        `  (${first.name}, started first, heard no master for its Master_Down_Interval, ${seconds(masterDownIntervalMs(options, first.spec.priority))}; ` +
          `its adverts, priority ${first.spec.priority}, keep the others in BACKUP)`,
      ),
    );

    screen.heading(`The client asks http://${VIP}/ every ${REQUEST_INTERVAL_MS} ms (a new connection each time, ${REQUEST_TIMEOUT_MS} ms timeout)`);
    const client = await ClientWatch.start(this.lab, topology.clientNs, `http://${VIP}/`, HELPER_LIFETIME_SECONDS);
    this.client = client;
    await this.until(`an answer from ${first.name}`, this.budget.answerMs, () => client.firstAnswerFrom(first.name, 0), () => this.clientReason(first.name));
    await this.hold();
    await this.showVip('before the crash');

    screen.heading(`Crashing ${first.name}, the master: SIGKILL to its ${first.spec.daemon} and its web server`);
    // The ticker waits while the kill is under way, so that what follows prints after it.
    this.tick();
    this.stopTicker();
    const killedAt = await first.crash();
    this.screen.event(this.label(first.name), colour.red(`killed (SIGKILL): no priority-0 advert, and its VIP stays on eth0 as after a real crash`), killedAt);
    this.startTicker();
    const successor = await this.until(`a backup to become master`, this.budget.masterMs, () => others.find((r) => r.firstLine(ENTERING_MASTER, killedAt)), () =>
      `no backup became master within ${seconds(this.budget.masterMs)} of the kill (${this.states()})`,
    );
    const failover = await this.switchover(successor, killedAt);
    screen.print(
      colour.green.bold(
        `failover: ${successor.name} took over ${seconds(failover.masterMs)} after the kill (Entering MASTER STATE), ` +
          `first gratuitous ARP at ${seconds(failover.garpMs)}, the client's first answer from ${successor.name} at ${seconds(failover.answerMs)}; ` +
          `${failover.failed} of ${failover.requests} requests failed`,
      ),
    );
    const downMs = masterDownIntervalMs(options, successor.spec.priority);
    screen.print(
      colour.dim(
        `  (${successor.name}'s Master_Down_Interval, 3 x ${options.advertIntText} s + skew ${seconds(downMs - 3 * options.advertIntSeconds * 1000)} = ${seconds(downMs)}, ` +
          `ran from ${first.name}'s last advert, sent up to ${options.advertIntText} s before the kill)`,
      ),
    );
    await this.hold();
    await this.showVip(`after the crash`);

    screen.heading(`Bringing ${first.name} back: web server, then ${first.spec.daemon}; priority ${first.spec.priority} > ${successor.spec.priority}, so it preempts`);
    await first.startWebServer();
    const restartedAt = await first.startDaemon();
    await this.until(`${first.name} to take the VIP back`, this.budget.masterMs, () => {
      if (first.state === 'MASTER' && others.every((r) => r.state === 'BACKUP')) return true;
      return undefined;
    }, () => `${first.name} did not take the VIP back within ${seconds(this.budget.masterMs)} of its restart (${this.states()})`);
    const preemption = await this.switchover(first, restartedAt);
    screen.print(
      colour.green.bold(
        `preemption: ${first.name} took the VIP back ${seconds(preemption.masterMs)} after its restart (Entering MASTER STATE), ` +
          `the client's first answer from ${first.name} at ${seconds(preemption.answerMs)}; ${preemption.failed} of ${preemption.requests} requests failed`,
      ),
    );
    await this.hold();
    await this.showVip('after the preemption');

    await client.stop();
    this.tick();
    this.stopTicker();
    return {
      setting: `VRRPv${options.vrrpVersion}, advert_int ${options.advertIntText} s; ${names}`,
      firstMaster: { node: first.name, ms: firstMasterAt - startAt },
      crashed: first.name,
      failover,
      preemption,
      client: {
        total: client.results.length,
        failed: client.failed,
        answeredBy: this.routers.map((r) => [r.name, client.answeredBy(r.name)] as const),
      },
      vipPath: this.vipPath,
    };
  }

  /**
   * The screen, but each of the story's own lines first prints the events
   * that happened before it, so that the output stays in time order.
   */
  private flushing(): Pick<Screen, 'heading' | 'print' | 'event'> {
    return {
      heading: (text) => {
        this.tick();
        this.screen.heading(text);
      },
      print: (line) => {
        this.tick();
        this.screen.print(line);
      },
      event: (source, text, at) => {
        this.tick();
        this.screen.event(source, text, at);
      },
    };
  }

  /** Times the VIP's move to `node`, which has just logged "Entering MASTER STATE" after `from`. */
  private async switchover(node: RouterNode, from: number): Promise<Switchover> {
    const client = this.client!;
    const master = node.firstLine(ENTERING_MASTER, from)!;
    const garp = await this.until(`a gratuitous ARP from ${node.name}`, this.budget.answerMs, () => node.firstLine(GARP, master.at), () =>
      `${node.name} became master but sent no gratuitous ARP for ${VIP} within ${seconds(this.budget.answerMs)}`,
    );
    const answer = await this.until(`an answer from ${node.name}`, this.budget.answerMs, () => client.firstAnswerFrom(node.name, from), () => this.clientReason(node.name));
    const window = client.countBetween(from, answer.end + 1);
    return { node: node.name, masterMs: master.at - from, garpMs: garp.at - from, answerMs: answer.end - from, requests: window.total, failed: window.failed };
  }

  /** Shows the steady state for a while (the ticker keeps printing). */
  private async hold(): Promise<void> {
    const end = Date.now() + this.budget.holdMs;
    await this.until('the end of the pause', this.budget.holdMs + 1_000, () => (Date.now() >= end ? true : undefined), () => 'the pause overran');
  }

  /** Asks the kernel where the VIP is, and says it. */
  private async showVip(when: string): Promise<void> {
    this.tick();
    const holders = await vipHolders(this.lab, this.topology!);
    const masters = this.routers.filter((r) => r.state === 'MASTER').map((r) => r.name);
    const live = holders.filter((name) => masters.includes(name));
    const stale = holders.filter((name) => !masters.includes(name));
    this.vipPath.push(live.join('+') || 'nobody');
    let text = `VIP ${VIP} is on ${live.join(' and ') || 'no master'} ${when} (ip addr in every router's namespace)`;
    if (stale.length > 0) text += `; also still on ${stale.join(', ')}, left by the crash: vrrpd removes it when it starts again`;
    this.screen.print(this.colour.green(text));
  }

  /**
   * Waits (bounded) until `check` returns a value. Fails at once if a process
   * of the lab ended by itself, and with `reason()` on timeout.
   */
  private async until<T>(what: string, timeoutMs: number, check: () => T | undefined, reason: () => string): Promise<T> {
    type Step = { readonly value: T } | { readonly fatal: string };
    let step: Step;
    try {
      step = await waitFor<Step | undefined>(() => {
        if (this.tickError) return { fatal: `the display failed: ${this.tickError.stack ?? this.tickError.message}` };
        const fatal = this.routers.map((r) => r.unexpectedExit()).find((m) => m !== undefined) ?? this.client?.unexpectedExit();
        if (fatal !== undefined) return { fatal };
        const value = check();
        return value === undefined ? undefined : { value };
      }, { timeoutMs, intervalMs: 20, what });
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new DemoFailure(this.withLogs(reason()));
      throw error;
    }
    if ('fatal' in step) throw new DemoFailure(this.withLogs(step.fatal));
    return step.value;
  }

  private noMasterReason(first: RouterNode, startAt: number): string {
    const masters = this.routers.filter((r) => r.state === 'MASTER');
    const within = `within ${seconds(this.budget.masterMs)} of the start`;
    if (masters.length === 0) return `no master ${within} (${this.states()})`;
    if (first.firstLine(ENTERING_MASTER, startAt) === undefined) return `${first.name} did not become master ${within} (${this.states()})`;
    return `the routers did not settle on ${first.name} as the one master ${within} (${this.states()})`;
  }

  private clientReason(master: string): string {
    const last = this.client?.results.at(-1);
    const seen = last === undefined ? 'no request has ended' : last.ok ? `last answer from ${last.node}` : `last request: ${describeError(last.error)}`;
    return `the client got no answer from ${master}, the master, within ${seconds(this.budget.answerMs)} (${seen}; ${this.states()})`;
  }

  private states(): string {
    return this.routers.map((r) => `${r.name} ${r.state}`).join(', ');
  }

  /** A failure message with each router's last log lines, for whoever has to find out why. */
  private withLogs(message: string): string {
    const tails = this.routers.map((r) => {
      const lines = r.log.slice(-4).map((line) => `    ${this.screen.clock(line.at)} ${line.text}`);
      return `  ${r.name} (${r.spec.daemon}), last log lines:\n${lines.join('\n') || '    (none)'}`;
    });
    return `${message}\n${tails.join('\n')}`;
  }

  startTicker(): void {
    this.ticker ??= setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        // Thrown from a timer it would end the process at once, with the lab still up:
        // the next wait reports it instead, and withLab cleans up.
        this.tickError = error instanceof Error ? error : new Error(String(error));
        this.stopTicker();
      }
    }, TICK_MS);
  }

  stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Prints what happened since the last tick, in time order, and redraws the status line. */
  tick(): void {
    const events: { at: number; source: string; text: string }[] = [];
    for (const router of this.routers) {
      for (const line of router.readNewLines()) {
        const text = this.shown(router, line);
        if (text !== undefined) events.push({ at: line.at, source: router.name, text });
      }
    }
    for (const result of this.client?.readNew() ?? []) {
      const text = this.clientChange(result);
      if (text !== undefined) events.push({ at: result.end, source: 'client', text });
    }
    events.sort((a, b) => a.at - b.at);
    for (const event of events) this.screen.event(this.label(event.source), event.text, event.at);
    if (this.screen.live) this.screen.status(this.statusLine());
  }

  /** Whether a daemon's log line is worth a line (everything with --verbose), and how it reads. */
  private shown(router: RouterNode, line: LogLine): string | undefined {
    const { colour } = this;
    if (ENTERING_ANY.test(line.text)) {
      this.garpShown.set(router.name, false);
      const state = /Entering (\w+) STATE/.exec(line.text)?.[1];
      return state === 'MASTER' ? colour.green.bold(line.text) : state === 'FAULT' ? colour.red(line.text) : colour.yellow(line.text);
    }
    if (GARP.test(line.text) && this.garpShown.get(router.name) === false) {
      this.garpShown.set(router.name, true);
      return line.text;
    }
    if (STALE_VIP.test(line.text) || this.options.verbose) return line.text;
    return undefined;
  }

  /** A line when what the client sees changes: who answers, or why it fails. */
  private clientChange(result: RequestResult): string | undefined {
    const key = outcomeOf(result);
    const previous = this.lastOutcome;
    if (previous !== undefined && previous.key === key) {
      previous.count += 1;
      return undefined;
    }
    this.lastOutcome = { key, since: result.end, count: 1 };
    const { colour } = this;
    if (result.ok) {
      const after =
        previous !== undefined && previous.key.startsWith('error:')
          ? ` after ${previous.count} failed request${previous.count === 1 ? '' : 's'} over ${seconds(result.end - previous.since)}`
          : '';
      return colour.green(`answered by ${result.node}${after}`);
    }
    return colour.red(`request failed: ${describeError(result.error)}`);
  }

  private statusLine(): string {
    const { colour } = this;
    const paint: Record<RouterState, (text: string) => string> = {
      MASTER: colour.green.bold,
      BACKUP: colour.yellow,
      FAULT: colour.red,
      INIT: colour.dim,
      starting: colour.dim,
      off: colour.dim,
      crashed: colour.red.bold,
    };
    const routers = this.routers.map((r) => `${r.name} ${paint[r.state](r.state)}`).join('  ');
    const client = this.client;
    let seen = '';
    if (client !== undefined && client.results.length > 0) {
      const last = client.results.at(-1)!;
      const now = last.ok ? colour.green(`answered by ${last.node}`) : colour.red(describeError(last.error));
      seen = ` | client: ${client.results.length - client.failed} answered, ${client.failed} failed, now ${now}`;
    }
    return `${colour.dim(this.screen.clock())} ${routers}${seen}`;
  }

  private label(source: string): string {
    const paint = [this.colour.blue, this.colour.magenta, this.colour.cyan, this.colour.yellow, this.colour.green];
    const index = /^node(\d)$/.exec(source)?.[1];
    const padded = source.padEnd(7);
    return index === undefined ? this.colour.bold(padded) : paint[(Number(index) - 1) % paint.length]!(padded);
  }
}

await runMain('demo', async () => {
  const parsed = parseCommandLine(process.argv.slice(2));
  if (parsed.help) return ExitCode.ok;
  await preflight(parsed.options);
  return runDemo(parsed.options);
});
