// vipctl apply: make the addresses follow vrrpd's transitions, as vrrpd does
// itself without --no-vip. On master: add each VIP (marked as ours) and
// announce it, and announce again after a delay as keepalived's
// vrrp_garp_master_delay does; on any other state: remove each VIP that is
// ours. Work is done one event at a time, in order, so that a delayed
// announcement never lands after the VIP was released.

import type { Rtnetlink } from '@keepalived-ts/netlink';
import type { Announcer } from '@keepalived-ts/wire/announceSender';
import { addVip, carriesOurMark, deleteVip, kernelKeepsMarks } from './addressControl.js';
import { announce, type AnnounceOutcome } from './announce.js';
import { toVipError, VipError } from './errors.js';
import type { TransitionEvent, VipPlacement, VrrpState } from './transitionEvent.js';
import { cidrText } from './vipAddress.js';

export interface ApplierOptions {
  /** Frames per burst and address (keepalived's vrrp_garp_master_repeat). */
  readonly announceCount: number;
  /** The second burst after becoming master; 0 for none (keepalived's vrrp_garp_master_delay). */
  readonly secondBurstDelayMs: number;
  /** Default: from the kernel release (see kernelKeepsMarks). */
  readonly kernelKeepsMarks?: boolean;
}

interface ReportBase {
  /** The input line the event came from. */
  readonly line: number;
  readonly instance: string;
  readonly to: VrrpState;
}

export type ApplyReport =
  | (ReportBase & { readonly kind: 'added' | 'present' | 'deleted' | 'absent' | 'not-ours'; readonly address: string; readonly dev: string })
  | (ReportBase & { readonly kind: 'announced'; readonly announced: AnnounceOutcome })
  | (ReportBase & { readonly kind: 'error'; readonly error: VipError });

export type OpenAnnouncer = (ifname: string) => Promise<Announcer>;

export class EventApplier {
  private readonly announcers = new Map<string, Announcer>();
  private readonly secondBursts = new Map<string, NodeJS.Timeout>();
  /** ADDR/PREFIX@dev added by this process: ours even on a kernel that keeps no marks. */
  private readonly addedHere = new Set<string>();
  private readonly marksKept: boolean;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly rtnl: Rtnetlink,
    private readonly openAnnouncer: OpenAnnouncer,
    private readonly options: ApplierOptions,
    private readonly report: (report: ApplyReport) => void,
  ) {
    this.marksKept = options.kernelKeepsMarks ?? kernelKeepsMarks();
  }

  /** Applies `event` after the events before it; failures are reported, never thrown. */
  apply(event: TransitionEvent, line: number): Promise<void> {
    // A newer state of the instance makes a pending second burst wrong.
    this.cancelSecondBurst(event.instance);
    return this.enqueue(() => (event.to === 'master' ? this.takeOver(event, line) : this.release(event, line)));
  }

  /** Cancels pending announcements and releases the pcap handles. Addresses are left as they are. */
  close(): void {
    this.closed = true;
    for (const timer of this.secondBursts.values()) clearTimeout(timer);
    this.secondBursts.clear();
    for (const announcer of this.announcers.values()) announcer.close();
    this.announcers.clear();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : job()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async takeOver(event: TransitionEvent, line: number): Promise<void> {
    const base = { line, instance: event.instance, to: event.to };
    const placed: VipPlacement[] = [];
    for (const placement of event.placements) {
      try {
        // force: like vrrpd, the VIP goes where the configuration says, even if another interface has it too.
        const outcome = await addVip(this.rtnl, {
          vip: placement.vip,
          dev: placement.dev,
          ...(placement.label !== undefined && { label: placement.label }),
          ...(placement.broadcast !== undefined && { broadcast: placement.broadcast }),
          ...(placement.scope !== undefined && { scope: placement.scope }),
          force: true,
        });
        if (outcome.result === 'added') this.addedHere.add(`${outcome.address}@${outcome.dev}`);
        this.report({ ...base, kind: outcome.result, address: outcome.address, dev: outcome.dev });
        placed.push(placement);
      } catch (error) {
        this.fail(base, error);
      }
    }
    await this.announceAll(base, placed);
    if (this.options.secondBurstDelayMs > 0 && placed.length > 0) {
      const timer = setTimeout(() => {
        this.secondBursts.delete(event.instance);
        void this.enqueue(() => this.announceAll(base, placed));
      }, this.options.secondBurstDelayMs);
      this.secondBursts.set(event.instance, timer);
    }
  }

  private async release(event: TransitionEvent, line: number): Promise<void> {
    const base = { line, instance: event.instance, to: event.to };
    for (const placement of event.placements) {
      try {
        const outcomes = await deleteVip(this.rtnl, {
          vip: placement.vip,
          dev: placement.dev,
          isOurs: (found) => carriesOurMark(found) || (!this.marksKept && this.addedHere.has(`${cidrText(found.address, found.prefixLength)}@${placement.dev}`)),
        });
        for (const outcome of outcomes) {
          if (outcome.result === 'deleted') this.addedHere.delete(`${outcome.address}@${outcome.dev}`);
          this.report({ ...base, kind: outcome.result, address: outcome.address, dev: outcome.dev });
        }
      } catch (error) {
        this.fail(base, error);
      }
    }
  }

  private async announceAll(base: ReportBase, placements: readonly VipPlacement[]): Promise<void> {
    for (const placement of placements) {
      try {
        const announcer = await this.announcerFor(placement.dev);
        const announced = await announce(announcer, placement.vip, { count: this.options.announceCount });
        this.report({ ...base, kind: 'announced', announced });
      } catch (error) {
        this.fail(base, error);
      }
    }
  }

  private async announcerFor(dev: string): Promise<Announcer> {
    let announcer = this.announcers.get(dev);
    if (!announcer) {
      // Not cached on failure: the interface may come up or appear by the next event.
      announcer = await this.openAnnouncer(dev);
      this.announcers.set(dev, announcer);
    }
    return announcer;
  }

  private cancelSecondBurst(instance: string): void {
    const timer = this.secondBursts.get(instance);
    if (timer) clearTimeout(timer);
    this.secondBursts.delete(instance);
  }

  private fail(base: ReportBase, error: unknown): void {
    const failure = toVipError(error);
    if (!failure) throw error;
    this.report({ ...base, kind: 'error', error: failure });
  }
}
