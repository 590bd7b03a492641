// What a transition tells the outside world, in keepalived's forms: the
// notify_* scripts, the `notify` script with its four arguments
// (INSTANCE|GROUP, name, state, priority), notify_fifo lines
// (`INSTANCE "VI_1" MASTER 100`), and our JSON Lines events.

import { constants, openSync, writeSync, statSync } from 'node:fs';
import type { VrrpState } from '@keepalived-ts/election';
import { runScript, type DaemonLog, type EventSink, type ScriptUser } from '@keepalived-ts/daemon';
import type { Command, NotifyScripts } from './runtimeConfig.js';

/** One line of `--events`: what `vipctl apply` reads. */
export interface TransitionEvent {
  readonly time: string;
  readonly instance: string;
  readonly vrid: number;
  readonly interface: string;
  readonly from: string;
  readonly to: string;
  readonly priority: number;
  readonly reason: string;
  readonly vips: readonly string[];
  /** Where each VIP goes, for consumers that add them (vipctl apply): dev defaults to `interface`. */
  readonly vipDetails: readonly { readonly address: string; readonly dev: string; readonly label?: string; readonly broadcast?: string; readonly scope?: string }[];
}

const KEEPALIVED_STATE: Readonly<Record<VrrpState | 'stop', string>> = { init: 'INIT', backup: 'BACKUP', master: 'MASTER', fault: 'FAULT', stop: 'STOP' };

export interface NotifierOptions {
  readonly log: DaemonLog;
  readonly events?: EventSink<TransitionEvent>;
  readonly notifyFifo?: string;
  readonly scriptUser?: ScriptUser;
}

export class Notifier {
  private fifoFd: number | undefined;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: NotifierOptions) {
    if (options.notifyFifo) {
      try {
        if (!statSync(options.notifyFifo).isFIFO()) throw new Error('not a FIFO');
        this.fifoFd = openSync(options.notifyFifo, constants.O_RDWR | constants.O_NONBLOCK);
      } catch (error) {
        options.log('error', `notify_fifo ${options.notifyFifo}: ${(error as Error).message}`);
      }
    }
  }

  transition(kind: 'INSTANCE' | 'GROUP', name: string, to: VrrpState | 'stop', priority: number, scripts: NotifyScripts, event?: TransitionEvent): void {
    if (event) this.options.events?.write(event);
    const state = KEEPALIVED_STATE[to];
    if (this.fifoFd !== undefined) {
      try {
        writeSync(this.fifoFd, `${kind} "${name}" ${state} ${priority}\n`);
      } catch (error) {
        this.options.log('warning', `notify_fifo: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: line dropped`);
      }
    }
    const specific = to === 'master' ? scripts.master : to === 'backup' ? scripts.backup : to === 'fault' ? scripts.fault : to === 'stop' ? scripts.stop : undefined;
    if (specific) this.run(specific, []);
    if (scripts.any) this.run(scripts.any, [kind, name, state, String(priority)]);
  }

  private run(command: Command, extraArgs: readonly string[]): void {
    const argv = [...command, ...extraArgs];
    const job = runScript(argv, this.options.scriptUser ? { user: this.options.scriptUser, timeoutMs: 30_000 } : { timeoutMs: 30_000 }).then((result) => {
      if (result.error) this.options.log('error', `Failed to exec notify script ${command.join(' ')}: ${result.error}`);
      this.running.delete(job);
    });
    this.running.add(job);
  }

  /** Lets the notify scripts of a stop finish (bounded) before the process exits. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all(this.running), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
