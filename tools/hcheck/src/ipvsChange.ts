// The IPVS changes the checker daemon makes, as data: add, edit or delete a
// service or a destination. IpvsApplier is the one way they leave the
// daemon; libs/ipvs (generic netlink) will implement it, and until then
// DryRunIpvsApplier prints each change as the ipvsadm command that makes it,
// so `hcheck -f ... | sh` on a host with IPVS would do the same.

import type { LvsMethod, LvsProtocol } from '@keepalived-ts/config';

type AddressFamily = 4 | 6;

export interface IpvsService {
  /** Undefined for a fwmark service. */
  readonly protocol: LvsProtocol | undefined;
  readonly address: string | undefined;
  readonly port: number;
  readonly fwmark: number | undefined;
  readonly family: AddressFamily;
  readonly scheduler: string;
  readonly schedulerFlags: readonly string[];
  readonly onePacket: boolean;
  readonly persistenceTimeout: number | undefined;
  readonly persistenceGranularity: string | undefined;
}

export interface IpvsDestination {
  readonly address: string;
  readonly family: AddressFamily;
  /** 0: the service's port (fwmark services: none). */
  readonly port: number;
  readonly method: LvsMethod;
  readonly weight: number;
  readonly upperThreshold: number | undefined;
  readonly lowerThreshold: number | undefined;
}

export type IpvsChange =
  | { readonly kind: 'add-service' | 'edit-service' | 'delete-service'; readonly service: IpvsService }
  | { readonly kind: 'add-destination' | 'edit-destination' | 'delete-destination'; readonly service: IpvsService; readonly destination: IpvsDestination };

/**
 * Where IPVS changes go: the kernel (an applier on libs/ipvs's Ipvs client,
 * to come) or, for now, printed ipvsadm commands. The daemon never waits on
 * a change: an applier that talks to the kernel queues them and makes them
 * in order, and reports its own failures (keepalived logs them and goes on).
 */
export interface IpvsApplier {
  apply(change: IpvsChange): void;
  /** Resolves once every change handed over is made; the daemon waits for it before it exits. */
  flush?(): Promise<void>;
}

export class DryRunIpvsApplier implements IpvsApplier {
  constructor(private readonly write: (line: string) => void) {}

  apply(change: IpvsChange): void {
    this.write(ipvsadmCommand(change));
  }
}

const hostPort = (address: string, family: AddressFamily, port: number): string => {
  const host = family === 6 ? `[${address}]` : address;
  return port === 0 ? host : `${host}:${port}`;
};

/** ipvsadm's words for the service part: -t/-u/--sctp-service ADDR:PORT or -f MARK (with -6 for an IPv6 fwmark service). */
export function serviceArguments(service: IpvsService): string[] {
  if (service.fwmark !== undefined) return service.family === 6 ? ['-f', String(service.fwmark), '-6'] : ['-f', String(service.fwmark)];
  const flag = service.protocol === 'UDP' ? '-u' : service.protocol === 'SCTP' ? '--sctp-service' : '-t';
  return [flag, hostPort(service.address ?? '', service.family, service.port)];
}

const METHOD_FLAG: Readonly<Record<LvsMethod, string>> = { NAT: '-m', DR: '-g', TUN: '-i' };

/** The ipvsadm command line that makes `change`, e.g. `ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1`. */
export function ipvsadmCommand(change: IpvsChange): string {
  const service = serviceArguments(change.service);
  switch (change.kind) {
    case 'add-service':
    case 'edit-service': {
      const s = change.service;
      const words = ['ipvsadm', change.kind === 'add-service' ? '-A' : '-E', ...service, '-s', s.scheduler];
      if (s.schedulerFlags.length > 0) words.push('-b', s.schedulerFlags.join(','));
      if (s.persistenceTimeout !== undefined) words.push('-p', String(s.persistenceTimeout));
      if (s.persistenceGranularity !== undefined) words.push('-M', s.persistenceGranularity);
      if (s.onePacket) words.push('-o');
      return words.join(' ');
    }
    case 'delete-service':
      return ['ipvsadm', '-D', ...service].join(' ');
    case 'add-destination':
    case 'edit-destination': {
      const d = change.destination;
      const words = ['ipvsadm', change.kind === 'add-destination' ? '-a' : '-e', ...service, '-r', hostPort(d.address, d.family, d.port), METHOD_FLAG[d.method], '-w', String(d.weight)];
      if (d.upperThreshold !== undefined) words.push('-x', String(d.upperThreshold));
      if (d.lowerThreshold !== undefined) words.push('-y', String(d.lowerThreshold));
      return words.join(' ');
    }
    case 'delete-destination':
      return ['ipvsadm', '-d', ...service, '-r', hostPort(change.destination.address, change.destination.family, change.destination.port)].join(' ');
  }
}
