// The checker daemon: one VirtualServerPool (pool.ts) per virtual server,
// every checker run by libs/checks' CheckScheduler (bounded concurrency,
// due times that do not drift), and the pools' actions carried out: log
// lines, IPVS changes through an IpvsApplier, notify scripts, events.
// SIGHUP's reload keeps the state of what did not change; stop() takes
// everything out of IPVS, as keepalived's checker process does.

import { CheckScheduler, down, type CheckOutcome, type CheckResult } from '@keepalived-ts/checks';
import { readAccounts, type GlobalDefs, type ScriptCommand, type ScriptUser as ConfigScriptUser, type VirtualServer } from '@keepalived-ts/config';
import { resolveScriptUser, runScript, type DaemonLog, type EventSink, type ScriptUser } from '@keepalived-ts/daemon';
import { outcomeLines } from './checkerLog.js';
import { runChecker } from './checkerRun.js';
import type { CheckerPlan } from './daemonConfig.js';
import type { IpvsApplier } from './ipvsChange.js';
import { checkerKey, servicesOf, VirtualServerPool, type PoolAction, type PoolEvent } from './pool.js';

/** One line of `--events`. */
export type CheckerEvent = { readonly time: string } & PoolEvent;

export interface CheckerDaemonOptions {
  readonly log: DaemonLog;
  readonly events?: EventSink<CheckerEvent>;
  readonly applier: IpvsApplier;
  /** Most checks running at once. */
  readonly concurrency: number;
  /** For the warmup delay; Math.random unless a test fixes it. */
  readonly random?: () => number;
}

/** Where a scheduled check's results go; replaced on reload while the check keeps its schedule. */
interface Binding {
  readonly pool: VirtualServerPool;
  readonly server: number;
  readonly checker: number;
  readonly vs: VirtualServer;
}

/** keepalived waits this long for notify scripts when it stops. */
const STOP_SCRIPT_WAIT_MS = 5_000;
const NOTIFY_TIMEOUT_MS = 30_000;

export class CheckerDaemon {
  private readonly scheduler: CheckScheduler;
  private pools = new Map<string, VirtualServerPool>();
  private bindings = new Map<string, Binding>();
  /** Whether each check's current run may retry and follows an earlier result (for keepalived's log lines). */
  private readonly runs = new Map<string, { retried: boolean; hasRun: boolean }>();
  private readonly scripts = new Set<Promise<void>>();
  private identities = new Map<ConfigScriptUser | undefined, ScriptUser | undefined>();
  private globalDefs: GlobalDefs | undefined;
  private stopped = false;

  private constructor(private readonly options: CheckerDaemonOptions) {
    this.scheduler = new CheckScheduler({
      concurrency: options.concurrency,
      onResult: (outcome) => this.onResult(outcome),
      onError: (id, error) => options.log('error', `checker ${id}: ${(error as Error).message}`),
    });
  }

  static start(plan: CheckerPlan, options: CheckerDaemonOptions): CheckerDaemon {
    const daemon = new CheckerDaemon(options);
    daemon.apply(plan);
    daemon.scheduler.start();
    return daemon;
  }

  /** SIGHUP: the new configuration, keeping the state of the virtual servers, real servers and checkers that did not change. */
  reload(plan: CheckerPlan): void {
    if (this.stopped) return;
    this.apply(plan);
  }

  /** Stops checking, takes the services out of IPVS and lets the notify scripts that run (omega) finish, within a bound. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.scheduler.stop();
    for (const pool of this.pools.values()) this.dispatch(pool.stop());
    await this.options.applier.flush?.();
    await Promise.race([Promise.allSettled([...this.scripts]), new Promise((resolve) => setTimeout(resolve, STOP_SCRIPT_WAIT_MS).unref())]);
  }

  snapshot(): unknown {
    return { virtualServers: [...this.pools.values()].map((pool) => pool.snapshot()), scheduler: this.scheduler.stats };
  }

  private apply(plan: CheckerPlan): void {
    this.globalDefs = plan.globalDefs;
    this.identities = new Map();
    const next = new Map<string, VirtualServerPool>();
    const wanted = new Set(plan.virtualServers.map((vs) => vs.name));
    // keepalived removes what a reload dropped before it sets up the rest.
    for (const [name, pool] of this.pools) if (!wanted.has(name)) this.dispatch(pool.remove());
    const bindings = new Map<string, Binding>();
    for (const vs of plan.virtualServers) {
      const group = vs.service.kind === 'group' ? plan.groups.find((g) => g.name === (vs.service as { group: string }).group) : undefined;
      const services = servicesOf(vs, group);
      const old = this.pools.get(vs.name);
      let pool: VirtualServerPool;
      if (old) {
        const reloaded = old.reload(vs, services);
        pool = reloaded.pool;
        this.dispatch(reloaded.actions);
      } else {
        pool = new VirtualServerPool(vs, services);
        this.dispatch(pool.start());
      }
      next.set(vs.name, pool);
      vs.realServers.forEach((rs, server) => {
        const seen = new Map<string, number>();
        rs.checkers.forEach((checker, index) => {
          const key = checkerKey(checker);
          const nth = seen.get(key) ?? 0;
          seen.set(key, nth + 1);
          bindings.set(`${vs.name} ${pool.realServerName(server)} ${checker.type}#${nth} ${key}`, { pool, server, checker: index, vs });
        });
      });
    }
    for (const id of this.bindings.keys()) {
      if (bindings.has(id)) continue;
      this.scheduler.remove(id);
      this.runs.delete(id);
    }
    const random = this.options.random ?? Math.random;
    for (const [id, binding] of bindings) {
      if (this.bindings.has(id)) continue;
      const checker = binding.vs.realServers[binding.server]!.checkers[binding.checker]!;
      this.options.log('info', `Activating healthchecker for service ${binding.pool.realServerName(binding.server)} for VS ${binding.vs.name}`);
      this.scheduler.add({ id, intervalMs: checker.delayLoop * 1000, firstDelayMs: random() * checker.warmup * 1000, run: (signal) => this.run(id, signal) });
    }
    this.bindings = bindings;
    this.pools = next;
  }

  private async run(id: string, signal: AbortSignal): Promise<CheckResult> {
    const binding = this.bindings.get(id);
    if (!binding) return down('error', 'check abandoned', 0);
    const { pool, server, checker: index, vs } = binding;
    const checker = vs.realServers[server]!.checkers[index]!;
    const retried = pool.wantsRetries(server, index);
    this.runs.set(id, { retried, hasRun: pool.checkerHasRun(server, index) });
    const identity = checker.type === 'MISC_CHECK' ? this.identity(checker.user) : undefined;
    try {
      return await runChecker(checker, { retries: retried, signal, ...(identity ? { identity } : {}) });
    } catch (error) {
      // Checkers throw only on options they cannot use (a port of 0, a bind address of the other family).
      return down('error', (error as Error).message, 0);
    }
  }

  private onResult({ id, result }: CheckOutcome): void {
    const binding = this.bindings.get(id);
    const run = this.runs.get(id);
    if (!binding || !run || this.stopped) return;
    const { pool, server, checker: index, vs } = binding;
    const rs = vs.realServers[server]!;
    const checker = rs.checkers[index]!;
    const realServer = pool.realServerName(server);
    this.options.log('debug', `${checker.type} ${realServer} of VS ${vs.name}: ${result.status}: ${result.detail} (${Math.round(result.durationMs)} ms)`);
    const lines = outcomeLines(checker, result, { realServer, virtualServer: vs.name, hasRun: run.hasRun, retried: run.retried });
    // misc_dynamic: exit 0 means the configured weight again.
    const weight = result.status === 'up' && checker.type === 'MISC_CHECK' && checker.dynamic ? (result.weight ?? rs.weight) : undefined;
    this.dispatch(pool.checkerResult(server, index, { up: result.status === 'up', reason: result.detail, lines, ...(weight !== undefined ? { weight } : {}) }));
  }

  private dispatch(actions: readonly PoolAction[]): void {
    for (const action of actions) {
      switch (action.kind) {
        case 'log':
          this.options.log('info', action.message);
          break;
        case 'ipvs':
          this.options.applier.apply(action.change);
          break;
        case 'script':
          this.runNotify(action.keyword, action.script);
          break;
        case 'event':
          this.options.events?.write({ time: new Date().toISOString(), ...action.event });
          break;
      }
    }
  }

  /** keepalived runs notify_up/down and quorum_up/down with the arguments configured, and nothing more. */
  private runNotify(keyword: string, script: ScriptCommand): void {
    let user: ScriptUser | undefined;
    try {
      user = this.identity(script.user);
    } catch (error) {
      this.options.log('error', `${keyword} script ${script.text}: ${(error as Error).message} - not run`);
      return;
    }
    const job = runScript(script.argv, { ...(user ? { user } : {}), timeoutMs: NOTIFY_TIMEOUT_MS }).then((result) => {
      if (result.error) this.options.log('error', `Failed to exec ${keyword} script ${script.text}: ${result.error}`);
      else if (result.timedOut) this.options.log('warning', `${keyword} script ${script.text} timed out after ${NOTIFY_TIMEOUT_MS / 1000} s`);
      this.scripts.delete(job);
    });
    this.scripts.add(job);
  }

  /**
   * Who a script runs as, by keepalived's rules: its own user, else
   * script_user, else keepalived_script when that user exists, else this
   * process (root, as keepalived would be). Throws when the user is unknown.
   */
  private identity(own: ConfigScriptUser | undefined): ScriptUser | undefined {
    if (this.identities.has(own)) return this.identities.get(own);
    const chosen = own ?? this.globalDefs?.scriptUser ?? (readAccounts().users.has('keepalived_script') ? { user: 'keepalived_script', group: undefined } : undefined);
    const identity = chosen ? resolveScriptUser(chosen.user, chosen.group) : undefined;
    this.identities.set(own, identity);
    return identity;
  }
}
