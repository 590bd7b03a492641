// vrrp_script: run the check every `interval`, count consecutive results,
// and report a change of health only after `rise` successes or `fall`
// failures, as keepalived does. The first result is reported as it comes:
// keepalived holds an instance tracking a weight-0 script in INIT until then.

import { runScript, type DaemonLog, type ScriptUser } from '@keepalived-ts/daemon';
import type { ScriptConfig } from './runtimeConfig.js';

export class ScriptTracker {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private healthy = true;
  private reported = false;
  private stopped = false;

  constructor(
    private readonly script: ScriptConfig,
    private readonly user: ScriptUser | undefined,
    private readonly log: DaemonLog,
    private readonly onChange: (name: string, healthy: boolean) => void,
  ) {}

  /** Whether the first result is in: until then an election must not be told anything. */
  get hasReported(): boolean {
    return this.reported;
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce(), delayMs);
  }

  private async runOnce(): Promise<void> {
    const started = Date.now();
    const result = await runScript(this.script.command, { ...(this.user ? { user: this.user } : {}), timeoutMs: this.script.timeoutMs });
    if (this.stopped) return;
    let ok = result.code === 0;
    if (result.timedOut) this.log('warning', `Script \`${this.script.name}\` now returning timeout`);
    if (result.error) this.log('error', `Script \`${this.script.name}\`: ${result.error}`);
    if (this.script.weightReverse) ok = !ok;
    if (ok) { this.successes++; this.failures = 0; } else { this.failures++; this.successes = 0; }
    if (!this.reported) {
      this.reported = true;
      this.healthy = ok;
      this.log('info', `VRRP_Script(${this.script.name}) ${ok ? 'succeeded' : `failed (exited with status ${result.code ?? result.signal ?? 'error'})`}`);
      this.onChange(this.script.name, ok);
    } else if (!this.healthy && this.successes >= this.script.rise) {
      this.healthy = true;
      this.log('info', `VRRP_Script(${this.script.name}) succeeded`);
      this.onChange(this.script.name, true);
    } else if (this.healthy && this.failures >= this.script.fall) {
      this.healthy = false;
      this.log('info', `VRRP_Script(${this.script.name}) failed (exited with status ${result.code ?? result.signal ?? 'error'})`);
      this.onChange(this.script.name, false);
    }
    this.schedule(Math.max(0, this.script.intervalMs - (Date.now() - started)));
  }
}
