// What an operator watching VRRP needs flagged, worked out from the adverts
// alone: who is master of each VRID, and when something is wrong (two
// masters, a master leaving, routers that disagree). Pure: times come in with
// the observations, so a pcap file replays exactly as it was captured.

import { authPassword, intervalCentiseconds, type DecodedAdvert, type DecodeFailure } from '@keepalived-ts/vrrp';

export type WarningKind =
  | 'split-brain'
  | 'priority-zero'
  | 'interval-mismatch'
  | 'version-mismatch'
  | 'auth-mismatch'
  | 'bad-ttl'
  | 'bad-checksum'
  | 'malformed';

export interface VrrpWarning {
  readonly kind: WarningKind;
  readonly interface: string;
  readonly vrid: number | undefined;
  readonly source: string;
  readonly message: string;
}

interface RouterSeen {
  readonly source: string;
  lastSeenMs: number;
  /** The advert before the latest one: interleaving with another router's means two masters. */
  previousSeenMs: number | undefined;
  priority: number;
  version: 2 | 3;
  intervalCs: number;
  auth: string;
  packets: number;
}

interface VridSeen {
  readonly interface: string;
  readonly family: 4 | 6;
  readonly vrid: number;
  readonly routers: Map<string, RouterSeen>;
  packets: number;
  lastMaster: string | undefined;
  /** Warnings already given, so a persisting fault is said once, not per advert. */
  readonly said: Set<string>;
}

export interface SummaryRow {
  readonly interface: string;
  readonly family: 4 | 6;
  readonly vrid: number;
  readonly masters: readonly string[];
  readonly priority: number;
  readonly version: 2 | 3;
  readonly intervalCentiseconds: number;
  readonly packets: number;
  readonly lastSeenMs: number;
}

const authOf = (advert: DecodedAdvert): string =>
  advert.version === 2 ? `${advert.authType}:${advert.authType === 1 ? authPassword(advert) : ''}` : '';

/** RFC 5798 section 6.1: a backup waits 3 intervals plus Skew_Time before it takes over. */
function masterDownMs(router: RouterSeen): number {
  const intervalMs = router.intervalCs * 10;
  return 3 * intervalMs + ((256 - router.priority) * intervalMs) / 256;
}

export class VridWatch {
  /** Keyed by interface, then by family and VRID as one number: this runs for every packet. */
  private readonly vrids = new Map<string, Map<number, VridSeen>>();

  observe(iface: string, source: string, advert: DecodedAdvert, nowMs: number): VrrpWarning[] {
    let onInterface = this.vrids.get(iface);
    if (!onInterface) {
      onInterface = new Map();
      this.vrids.set(iface, onInterface);
    }
    const key = advert.family * 256 + advert.vrid;
    let seen = onInterface.get(key);
    if (!seen) {
      seen = { interface: iface, family: advert.family, vrid: advert.vrid, routers: new Map(), packets: 0, lastMaster: undefined, said: new Set() };
      onInterface.set(key, seen);
    }
    seen.packets++;
    const warnings: VrrpWarning[] = [];
    const warn = (kind: WarningKind, onceKey: string | undefined, message: string) => {
      if (onceKey !== undefined) {
        if (seen.said.has(onceKey)) return;
        seen.said.add(onceKey);
      }
      warnings.push({ kind, interface: iface, vrid: advert.vrid, source, message });
    };
    const vrid = `vrid ${advert.vrid} on ${iface}`;
    let router = seen.routers.get(source);
    if (!router) {
      router = { source, lastSeenMs: nowMs, previousSeenMs: undefined, priority: advert.priority, version: advert.version, intervalCs: intervalCentiseconds(advert), auth: authOf(advert), packets: 0 };
      seen.routers.set(source, router);
    } else {
      // After a priority-0 advert or a silence, this router starts afresh: a
      // restarted master's first adverts overlap the backup's last ones.
      const restarted = router.priority === 0 || nowMs - router.lastSeenMs >= masterDownMs(router);
      router.previousSeenMs = restarted ? undefined : router.lastSeenMs;
      router.lastSeenMs = nowMs;
      router.priority = advert.priority;
      router.version = advert.version;
      router.intervalCs = intervalCentiseconds(advert);
      router.auth = authOf(advert);
    }
    router.packets++;

    if (advert.priority === 0) {
      warn('priority-zero', undefined, `${vrid}: master ${source} is leaving (priority 0); a backup takes over after Skew_Time`);
      seen.said.delete(`split:${source}`);
      return warnings;
    }
    for (const other of seen.routers.values()) {
      if (other === router || other.priority === 0) continue;
      const active = nowMs - other.lastSeenMs < masterDownMs(other);
      if (!active) {
        // That router has gone quiet: a later overlap is a new episode, to be said again.
        seen.said.delete(`split:${[source, other.source].sort().join(',')}`);
        continue;
      }
      if (router.previousSeenMs !== undefined && other.lastSeenMs > router.previousSeenMs) {
        const pair = [source, other.source].sort();
        warn('split-brain', `split:${pair.join(',')}`, `${vrid}: two masters, ${pair[0]} and ${pair[1]} both advertising (split brain)`);
      }
      if (other.version !== router.version) {
        warn('version-mismatch', `version:${[source, other.source].sort().join(',')}`, `${vrid}: version mismatch, ${source} sends VRRPv${router.version} and ${other.source} VRRPv${other.version}`);
      }
      if (other.intervalCs !== router.intervalCs) {
        warn('interval-mismatch', `interval:${[source, other.source].sort().join(',')}:${router.intervalCs}:${other.intervalCs}`, `${vrid}: advertisement interval mismatch, ${source} sends ${router.intervalCs}cs and ${other.source} ${other.intervalCs}cs`);
      }
      if (other.auth !== router.auth) {
        warn('auth-mismatch', `auth:${[source, other.source].sort().join(',')}`, `${vrid}: authentication mismatch between ${source} and ${other.source}`);
      }
    }
    seen.lastMaster = source;
    return warnings;
  }

  /** An advert that failed validation is worth a warning of its own kind. */
  observeInvalid(iface: string, source: string, failure: DecodeFailure): VrrpWarning {
    const kind: WarningKind = failure.reason === 'bad-ttl' ? 'bad-ttl' : failure.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed';
    const vrid = failure.advert?.vrid;
    const where = vrid === undefined ? `on ${iface}` : `vrid ${vrid} on ${iface}`;
    return { kind, interface: iface, vrid, source, message: `${where}: from ${source}: ${failure.message}` };
  }

  rows(nowMs: number): SummaryRow[] {
    const rows: SummaryRow[] = [];
    for (const seen of [...this.vrids.values()].flatMap((m) => [...m.values()])) {
      const active = [...seen.routers.values()].filter((r) => r.priority > 0 && nowMs - r.lastSeenMs < masterDownMs(r));
      const latest = seen.routers.get(seen.lastMaster ?? '') ?? [...seen.routers.values()][0]!;
      const shown = active.length ? active : [latest];
      const lead = shown.reduce((a, b) => (b.lastSeenMs > a.lastSeenMs ? b : a));
      rows.push({
        interface: seen.interface,
        family: seen.family,
        vrid: seen.vrid,
        masters: active.map((r) => r.source),
        priority: lead.priority,
        version: lead.version,
        intervalCentiseconds: lead.intervalCs,
        packets: seen.packets,
        lastSeenMs: Math.max(...[...seen.routers.values()].map((r) => r.lastSeenMs)),
      });
    }
    return rows.sort((a, b) => a.interface.localeCompare(b.interface) || a.family - b.family || a.vrid - b.vrid);
  }
}
