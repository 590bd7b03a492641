// garp: announce addresses on an interface, as a new master does: gratuitous
// ARP requests (or replies) for IPv4, unsolicited neighbour advertisements
// (override flag, to all nodes) for IPv6; the frames are keepalived's.
// Exit statuses (garp(8), --help): 0 sent, 1 failure, 2 usage, 3 no such
// device, 4 not permitted, 5 invalid address or MAC.

import { booleanFlag, commandLine, integerFlag, parseFlags, runMain, stringFlag, usageError, UserError } from '@keepalived-ts/cli';
import {
  announce,
  ANNOUNCE_MAX_COUNT,
  ANNOUNCE_MAX_INTERVAL_MS,
  announcementText,
  DEFAULT_ANNOUNCE_COUNT,
  parseAnnounceMac,
  parseVip,
  toVipError,
  VipExit,
  type VipAddress,
} from '@keepalived-ts/vip';

const EXIT_STATUS_HELP = `  0  sent
  1  any other failure (the link is down, not Ethernet)
  2  usage error
  3  no such device
  4  not permitted (needs root or CAP_NET_RAW)
  5  invalid address or MAC`;

interface Options {
  readonly ifname: string;
  readonly vips: readonly VipAddress[];
  readonly count: number;
  readonly intervalMs: number;
  readonly mac: string | undefined;
  readonly reply: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
}

function parseOptions(argv: readonly string[]): Options | undefined {
  const cli = commandLine('garp');
  cli.usage('-i IFACE ADDRESS... [-c COUNT] [-w INTERVAL_MS] [--reply] [--mac MAC]');
  cli
    .option('-i, --interface <iface>', 'Send on this interface (required)')
    .option('-c, --count <n>', `Frames per address, 1-${ANNOUNCE_MAX_COUNT} (default ${DEFAULT_ANNOUNCE_COUNT}, as keepalived's vrrp_garp_master_repeat)`)
    .option('-w, --interval <ms>', `Milliseconds between two frames, 0-${ANNOUNCE_MAX_INTERVAL_MS} (default 0: back to back, as keepalived)`)
    .option('--reply', 'IPv4: gratuitous ARP replies (as arping -A) instead of requests')
    .option('--mac <mac>', "Announce this MAC (a VRRP virtual MAC) instead of the interface's")
    .option('--json', 'One JSON object per address')
    .option('-q, --quiet', 'Nothing on standard output');
  cli.example('garp -i eth0 10.0.0.100');
  cli.example('garp -i eth0 fd00::100 -c 3 -w 1000');
  cli.example('garp -i eth0 10.0.0.100 --mac 00:00:5e:00:01:33');
  // cac would print the help inside parseFlags; it is printed once, here, with the statuses.
  cli.globalCommand.helpCallback = (sections) => [...sections, { title: 'Exit status', body: EXIT_STATUS_HELP }];
  const parsed = parseFlags(cli, argv);
  const flags = parsed.flags;
  if (flags['help']) {
    cli.outputHelp();
    return undefined;
  }
  const ifname = stringFlag(flags, 'interface');
  if (ifname === undefined) throw usageError('give the interface: -i IFACE');
  if (parsed.args.length === 0) throw usageError('give at least one address to announce');
  const count = integerFlag(flags, 'count', 1, ANNOUNCE_MAX_COUNT) ?? DEFAULT_ANNOUNCE_COUNT;
  const intervalMs = integerFlag(flags, 'interval', 0, ANNOUNCE_MAX_INTERVAL_MS) ?? 0;
  const reply = booleanFlag(flags, 'reply');
  const vips = parsed.args.map((text) => {
    const result = parseVip(text);
    if (!result.ok) throw new UserError(result.reason, VipExit.invalidAddress);
    // A prefix length means nothing to a neighbour; refusing it catches `garp -i eth0 10.0.0.100/24` meant for vipctl.
    if (result.vip.prefixLength !== undefined) throw new UserError(`${JSON.stringify(text)}: give the address without a prefix length`, VipExit.invalidAddress);
    return result.vip;
  });
  if (reply && vips.some((vip) => vip.family === 6)) throw usageError('--reply is for IPv4 (ARP); IPv6 sends neighbour advertisements');
  const macText = stringFlag(flags, 'mac');
  let mac: string | undefined;
  if (macText !== undefined) {
    try {
      mac = parseAnnounceMac(macText);
    } catch (error) {
      const failure = toVipError(error);
      if (failure) throw new UserError(failure.message, failure.exitStatus);
      throw error;
    }
  }
  return { ifname, vips, count, intervalMs, mac, reply, json: booleanFlag(flags, 'json'), quiet: booleanFlag(flags, 'quiet') };
}

await runMain('garp', async () => {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return VipExit.ok;
  const { openAnnouncer } = await import('@keepalived-ts/wire/announceSender');
  try {
    const announcer = await openAnnouncer(options.ifname);
    try {
      for (const vip of options.vips) {
        const outcome = await announce(announcer, vip, {
          count: options.count,
          intervalMs: options.intervalMs,
          reply: options.reply,
          ...(options.mac !== undefined && { mac: options.mac }),
        });
        if (!options.quiet) process.stdout.write(`${options.json ? JSON.stringify(outcome) : announcementText(outcome)}\n`);
      }
    } finally {
      announcer.close();
    }
  } catch (error) {
    const failure = toVipError(error);
    if (failure) throw new UserError(failure.message, failure.exitStatus);
    throw error;
  }
  return VipExit.ok;
});
// libpcap's poll can outlive close() (see @keepalived-ts/wire/announceSender): leave once the output is out.
process.exit();
