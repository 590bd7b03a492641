// vipctl: virtual IPs on interfaces through rtnetlink, marked as ours so that
// it (and vrrpd) never remove an address someone else put there; and
// `vipctl apply`, which makes the addresses follow vrrpd's events.
// Exit statuses (vipctl(8), --help): 0 done, 1 check: not bound / failure,
// 2 usage, 3 no such device, 4 not permitted, 5 invalid address, 6 bound
// elsewhere, 7 not ours, 8 apply: the event stream ended.

import { createInterface } from 'node:readline';
import { colourFor, runMain, UserError, type Colour } from '@keepalived-ts/cli';
// Neither loads a native module until used: openRtnetlink() loads netlink, an announcer pcap.
import { openRtnetlink, SCOPES, type AddressInfo, type Rtnetlink } from '@keepalived-ts/netlink';
import {
  addVip,
  announce,
  announcementText,
  carriesOurMark,
  checkVip,
  deleteVip,
  EventApplier,
  flushOwned,
  listVips,
  notOursMessage,
  ownerOf,
  parseTransitionEvent,
  toVipError,
  VipError,
  VipExit,
  type AnnounceOutcome,
  type ApplyReport,
  type DeleteOutcome,
} from '@keepalived-ts/vip';
import { parseInvocation, type CommandName, type Invocation } from './commandLine.js';

/** After SIGTERM/SIGINT, how long apply goes on reading: the writer, stopped at the same time, sends its last events. */
const STOP_GRACE_MS = 3_000;

/** Standard output: text lines, or one JSON object per line; nothing with -q. */
class Output {
  readonly colour: Colour;
  constructor(private readonly invocation: Invocation) {
    this.colour = colourFor(process.stdout, invocation.noColor);
  }

  emit(text: string, object: Readonly<Record<string, unknown>>): void {
    if (this.invocation.quiet) return;
    process.stdout.write(`${this.invocation.json ? JSON.stringify(object) : text}\n`);
  }
}

const scopeNames = new Map<number, string>([...Object.entries(SCOPES).map(([name, value]) => [value, name] as const), [255, 'nowhere']]);

function ownerText(address: AddressInfo): string {
  const owner = ownerOf(address);
  return owner === 'none' ? '-' : String(owner);
}

function addressJson(address: AddressInfo): Record<string, unknown> {
  return {
    dev: address.ifname,
    address: `${address.address}/${address.prefixLength}`,
    family: address.family,
    owner: ownerOf(address),
    ...(address.proto !== undefined && { proto: address.proto }),
    ...(address.label !== undefined && address.label !== address.ifname && { label: address.label }),
    ...(address.broadcast !== undefined && { broadcast: address.broadcast }),
    scope: scopeNames.get(address.scope) ?? address.scope,
  };
}

function announcedJson(outcome: AnnounceOutcome): Record<string, unknown> {
  return { kind: outcome.kind, count: outcome.count, mac: outcome.mac };
}

function deleteText(outcome: DeleteOutcome): string {
  return outcome.result === 'deleted' ? `deleted ${outcome.address} from ${outcome.dev}` : `${outcome.address} is not on ${outcome.dev}: nothing to delete`;
}

type Runner = (rtnl: Rtnetlink, invocation: Invocation, out: Output) => Promise<number>;

const RUNNERS: Readonly<Record<CommandName, Runner>> = {
  async add(rtnl, inv, out) {
    const vip = inv.vip!;
    const dev = inv.dev!;
    const outcome = await addVip(rtnl, {
      vip,
      dev,
      ...(inv.label !== undefined && { label: inv.label }),
      ...(inv.broadcast !== undefined && { broadcast: inv.broadcast }),
      ...(inv.scope !== undefined && { scope: inv.scope }),
      force: inv.force,
    });
    let announced: AnnounceOutcome | undefined;
    if (inv.garpCount !== undefined) {
      const { openAnnouncer } = await import('@keepalived-ts/wire/announceSender');
      const announcer = await openAnnouncer(dev);
      try {
        announced = await announce(announcer, vip, { count: inv.garpCount });
      } finally {
        announcer.close();
      }
    }
    const text =
      outcome.result === 'added'
        ? `added ${outcome.address} on ${dev}`
        : `${outcome.address} is already on ${dev} (${outcome.owned ? 'ours' : 'not ours'}): nothing to add`;
    out.emit(announced ? `${text}\n${announcementText(announced)}` : text, {
      command: 'add',
      result: outcome.result,
      address: outcome.address,
      dev,
      owned: outcome.owned,
      ...(announced && { announced: announcedJson(announced) }),
    });
    return VipExit.ok;
  },

  async del(rtnl, inv, out) {
    const outcomes = await deleteVip(rtnl, { vip: inv.vip!, dev: inv.dev!, ...(inv.force && { isOurs: () => true }) });
    for (const outcome of outcomes) {
      if (outcome.result !== 'not-ours') out.emit(deleteText(outcome), { command: 'del', result: outcome.result, address: outcome.address, dev: outcome.dev });
    }
    const refused = outcomes.find((outcome) => outcome.result === 'not-ours');
    if (refused) throw new VipError(notOursMessage(refused), 'not-ours');
    return VipExit.ok;
  },

  async list(rtnl, inv, out) {
    const addresses = (await listVips(rtnl, inv.dev)).filter((address) => !inv.owned || carriesOurMark(address));
    const devWidth = Math.max(0, ...addresses.map((a) => a.ifname.length));
    const addressWidth = Math.max(0, ...addresses.map((a) => a.address.length + 1 + String(a.prefixLength).length));
    for (const address of addresses) {
      const owner = ownerText(address);
      const label = address.label !== undefined && address.label !== address.ifname ? `  label ${address.label}` : '';
      const text = `${address.ifname.padEnd(devWidth)}  ${`${address.address}/${address.prefixLength}`.padEnd(addressWidth)}  ${owner === 'ours' ? out.colour.green(owner) : owner}${label}`;
      out.emit(text.trimEnd(), addressJson(address));
    }
    return VipExit.ok;
  },

  async check(rtnl, inv, out) {
    const vip = inv.vip!;
    const bound = await checkVip(rtnl, vip, inv.dev);
    const asked = vip.prefixLength === undefined ? vip.address : `${vip.address}/${vip.prefixLength}`;
    const text = bound.length > 0 ? bound.map((a) => `${a.address}/${a.prefixLength} is on ${a.ifname}`).join('\n') : `${asked} is not bound${inv.dev === undefined ? ' here' : ` on ${inv.dev}`}`;
    out.emit(text, { command: 'check', address: asked, bound: bound.length > 0, on: bound.map(addressJson) });
    return bound.length > 0 ? VipExit.ok : VipExit.failure;
  },

  async flush(rtnl, inv, out) {
    const outcomes = await flushOwned(rtnl, inv.dev);
    if (outcomes.length === 0 && !inv.json) out.emit(`no addresses of ours${inv.dev === undefined ? '' : ` on ${inv.dev}`}: nothing to flush`, {});
    for (const outcome of outcomes) out.emit(deleteText(outcome), { command: 'flush', result: outcome.result, address: outcome.address, dev: outcome.dev });
    return VipExit.ok;
  },

  async apply(rtnl, inv, out) {
    const { openAnnouncer } = await import('@keepalived-ts/wire/announceSender');
    const applier = new EventApplier(rtnl, openAnnouncer, { announceCount: inv.garpCount!, secondBurstDelayMs: inv.garpDelayMs }, (report) => printReport(report, out));
    let stopSignal: NodeJS.Signals | undefined;
    let current: Promise<void> = Promise.resolve();
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopSignal) return;
        stopSignal = signal;
        setTimeout(resolve, STOP_GRACE_MS);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    const read = (async () => {
      let lineNumber = 0;
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        lineNumber++;
        if (line.trim() === '') continue;
        const parsed = parseTransitionEvent(line);
        if (!parsed.ok) {
          process.stderr.write(`vipctl: stdin:${lineNumber}: ${parsed.reason}; line skipped\n`);
          continue;
        }
        current = applier.apply(parsed.event, lineNumber);
        await current;
      }
    })();
    await Promise.race([read, stopped]);
    // Never stop in the middle of an event: its addresses would be half applied.
    await current;
    applier.close();
    if (stopSignal) return VipExit.ok;
    throw new UserError('stdin: the event stream ended; addresses are left as they are', VipExit.streamEnded);
  },
};

function printReport(report: ApplyReport, out: Output): void {
  const head = `${report.instance} ${report.to}`;
  const json = { line: report.line, instance: report.instance, to: report.to };
  switch (report.kind) {
    case 'error':
      process.stderr.write(`vipctl: stdin:${report.line}: ${report.error.message}\n`);
      return;
    case 'announced': {
      const { announced } = report;
      out.emit(`${head}: ${announcementText(announced)}`, { ...json, result: 'announced', address: announced.address, dev: announced.dev, ...announcedJson(announced) });
      return;
    }
    default: {
      const { address, dev } = report;
      const text = {
        added: `added ${address} on ${dev}`,
        present: `${address} is already on ${dev}`,
        deleted: `deleted ${address} from ${dev}`,
        absent: `${address} is not on ${dev}`,
        'not-ours': `left ${address} on ${dev}: not ours`,
      }[report.kind];
      out.emit(`${head}: ${text}`, { ...json, result: report.kind, address, dev });
    }
  }
}

await runMain('vipctl', async () => {
  const invocation = parseInvocation(process.argv.slice(2));
  if (!invocation) return VipExit.ok;
  const rtnl = await openRtnetlink();
  try {
    return await RUNNERS[invocation.command](rtnl, invocation, new Output(invocation));
  } catch (error) {
    const failure = toVipError(error);
    if (failure) throw new UserError(failure.message, failure.exitStatus);
    throw error;
  } finally {
    rtnl.close();
  }
});
// libpcap's poll can outlive close() (see @keepalived-ts/wire/announceSender): leave once the output is out.
process.exit();
