// vrrpdump: capture and decode VRRP like `tcpdump -nn proto 112`, and flag
// what an operator needs to know (split brain, a master leaving, routers
// that disagree). Exit statuses: 0 done, 1 a capture or file error, 2 usage.

import { booleanFlag, colourFor, type Colour, commandLine, ExitCode, integerFlag, parseFlags, runMain, stringFlag, usageError, UserError } from '@keepalived-ts/cli';
import { formatAddress } from '@keepalived-ts/vrrp';
import { decodeCapturedFrame, PcapFileError, PcapWriter, readPcapFile, type LinkTypeCode } from '@keepalived-ts/wire';
import { hostsFileNames, numeric } from './hostNames.js';
import { frameJson } from './packetJson.js';
import { StdoutBuffer } from './stdoutBuffer.js';
import { summaryTable } from './summaryTable.js';
import { frameLine } from './tcpdumpLine.js';
import { TimestampFormatter } from './timestamp.js';
import { VridWatch, type VrrpWarning } from './vridWatch.js';
import type { LiveCapture } from '@keepalived-ts/wire/capture';

const LINK_NAMES: Readonly<Record<number, string>> = { 1: 'EN10MB (Ethernet)', 101: 'RAW (Raw IP)', 113: 'LINUX_SLL (Linux cooked v1)', 228: 'IPV4 (Raw IPv4)', 229: 'IPV6 (Raw IPv6)', 276: 'LINUX_SLL2 (Linux cooked v2)' };

interface Options {
  readonly device: string | undefined;
  readonly readFile: string | undefined;
  readonly writeFile: string | undefined;
  readonly count: number | undefined;
  readonly verbosity: number;
  readonly numeric: boolean;
  readonly json: boolean;
  readonly summary: boolean;
  readonly arp: boolean;
  readonly timestamps: boolean;
  readonly v3ChecksumAsV2: boolean;
  readonly noColor: boolean;
}

function parseOptions(argv: readonly string[]): Options | undefined {
  const cli = commandLine('vrrpdump');
  cli.usage('(-i IFACE | -r FILE) [-w FILE] [-c N] [-n] [-v|-vv] [--json] [--summary] [--arp]');
  cli
    .option('-i, --interface <iface>', 'Capture live on IFACE (any: all interfaces)')
    .option('-r, --read <file>', 'Read packets from a pcap file (- is not supported)')
    .option('-w, --write <file>', 'Also write the captured packets to a pcap file')
    .option('-c, --count <n>', 'Stop after N packets')
    .option('-n', 'Numeric addresses (without it, names come from /etc/hosts only)')
    .option('-v', 'More detail: IP header, addresses, auth data; -vv adds checksum status')
    .option('-t', 'No time stamps')
    .option('--json', 'One JSON object per packet (and per warning)')
    .option('--summary', 'A table per interface and VRID: master, priority, interval, packets, last seen')
    .option('--arp', 'Also show gratuitous ARPs and neighbour advertisements')
    .option('--v3-checksum-as-v2', 'Check VRRPv3 over IPv4 without the pseudo-header (keepalived v3_checksum_as_v2)')
    .option('--no-color', 'No colour (also when NO_COLOR is set, or output is not a terminal)');
  cli.example('vrrpdump -i eth0 -nv');
  cli.example('vrrpdump -r failover.pcap --summary');
  cli.example('vrrpdump -i eth0 --json -c 10 | jq .priority');
  const parsed = parseFlags(cli, argv, ['v']);
  if (parsed.flags['help']) {
    cli.outputHelp();
    return undefined;
  }
  if (parsed.args.length > 0) throw usageError(`unexpected argument ${JSON.stringify(parsed.args[0])} (capture filters are fixed: VRRP, and with --arp the announcements)`);
  const device = stringFlag(parsed.flags, 'interface');
  const readFile = stringFlag(parsed.flags, 'read');
  if ((device === undefined) === (readFile === undefined)) throw usageError('give one of -i IFACE or -r FILE');
  return {
    device,
    readFile,
    writeFile: stringFlag(parsed.flags, 'write'),
    count: integerFlag(parsed.flags, 'count', 1, Number.MAX_SAFE_INTEGER),
    verbosity: parsed.count('v'),
    numeric: booleanFlag(parsed.flags, 'n'),
    json: booleanFlag(parsed.flags, 'json'),
    summary: booleanFlag(parsed.flags, 'summary'),
    arp: booleanFlag(parsed.flags, 'arp'),
    timestamps: !booleanFlag(parsed.flags, 't'),
    v3ChecksumAsV2: booleanFlag(parsed.flags, 'v3ChecksumAsV2'),
    noColor: parsed.flags['color'] === false,
  };
}

/** Everything between a captured record and the output: shared by file and live input. */
class Dump {
  readonly out = new StdoutBuffer();
  readonly watch = new VridWatch();
  private readonly stamps: TimestampFormatter;
  private readonly nameOf;
  private readonly colour: Colour;
  private readonly errColour: Colour;
  private writer: PcapWriter | undefined;
  shown = 0;
  malformed = 0;
  lastTimeMs = 0;

  constructor(readonly options: Options, private readonly iface: string) {
    this.stamps = new TimestampFormatter(options.timestamps ? 'local' : 'none');
    this.nameOf = options.numeric ? numeric : hostsFileNames();
    this.colour = colourFor(process.stdout, options.noColor);
    this.errColour = colourFor(process.stderr, options.noColor);
  }

  start(linkType: LinkTypeCode): void {
    if (this.options.writeFile) {
      try {
        this.writer = new PcapWriter(this.options.writeFile, linkType);
      } catch (error) {
        throw new UserError(`${this.options.writeFile}: ${(error as Error).message.replace(/^\w+: /, '')}`, ExitCode.failure);
      }
    }
  }

  /** Returns false once -c packets have been shown. */
  record(linkType: LinkTypeCode, seconds: number, micros: number, data: Uint8Array, originalLength: number): boolean {
    const frame = decodeCapturedFrame(data, linkType, data.length, { v3ChecksumAsV2: this.options.v3ChecksumAsV2 });
    if (frame.kind === 'other') return true;
    if (!this.options.arp && (frame.kind === 'arp' || frame.kind === 'na')) return true;
    this.writer?.write(seconds, micros, data, originalLength);
    const nowMs = seconds * 1000 + micros / 1000;
    this.lastTimeMs = nowMs;
    const warnings: VrrpWarning[] = [];
    if (frame.kind === 'vrrp') {
      const source = formatAddress(frame.ip.header.source, frame.ip.header.family);
      if (frame.vrrp.ok) warnings.push(...this.watch.observe(this.iface, source, frame.vrrp.advert, nowMs));
      else { this.malformed++; warnings.push(this.watch.observeInvalid(this.iface, source, frame.vrrp)); }
    } else if (frame.kind === 'malformed') {
      this.malformed++;
    }
    if (!this.options.summary) {
      if (this.options.json) {
        const object = frameJson(frame, seconds, micros, this.iface);
        if (object) this.out.write(JSON.stringify(object) + '\n');
      } else {
        const line = frameLine(frame, { verbosity: this.options.verbosity, nameOf: this.nameOf });
        if (line !== undefined) {
          const bad = frame.kind === 'malformed' || (frame.kind === 'vrrp' && !frame.vrrp.ok);
          this.out.write(this.stamps.format(seconds, micros) + (bad ? this.colour.red(line) : line) + '\n');
        }
      }
    }
    for (const warning of warnings) this.warn(warning);
    this.shown++;
    return this.options.count === undefined || this.shown < this.options.count;
  }

  private warn(warning: VrrpWarning): void {
    if (this.options.json && !this.options.summary) {
      this.out.write(JSON.stringify({ kind: 'warning', warning: warning.kind, interface: warning.interface, vrid: warning.vrid, source: warning.source, message: warning.message }) + '\n');
      return;
    }
    // Text warnings go to stderr in order with the lines already printed.
    this.out.flush();
    const severe = warning.kind === 'split-brain' || warning.kind === 'auth-mismatch';
    const text = `vrrpdump: warning: ${warning.message}`;
    process.stderr.write((severe ? this.errColour.red.bold(text) : this.errColour.yellow(text)) + '\n');
  }

  summaryText(nowMs: number): string {
    const rows = this.watch.rows(nowMs);
    if (this.options.json) return rows.map((row) => JSON.stringify({ kind: 'summary', ...row })).join('\n') + (rows.length ? '\n' : '');
    return summaryTable(rows, nowMs, this.colour);
  }

  finish(nowMs: number): void {
    if (this.options.summary) this.out.write(this.summaryText(nowMs));
    this.out.flush();
    this.writer?.close();
  }
}

function readFromFile(options: Options & { readFile: string }): number {
  const dump = new Dump(options, '-');
  let linkType: LinkTypeCode = 1;
  const stopEarly = new Error('count reached');
  try {
    readPcapFile(
      options.readFile,
      (type, snapLength) => {
        linkType = type;
        process.stderr.write(`reading from file ${options.readFile}, link-type ${LINK_NAMES[type]}, snapshot length ${snapLength}\n`);
        dump.start(type);
      },
      (record) => {
        if (!dump.record(linkType, record.seconds, record.micros, record.data, record.originalLength)) throw stopEarly;
      },
    );
  } catch (error) {
    if (error === stopEarly) {
      dump.finish(dump.lastTimeMs);
      return ExitCode.ok;
    }
    dump.finish(dump.lastTimeMs);
    if (error instanceof PcapFileError) throw new UserError(error.message, ExitCode.failure);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${options.readFile}: No such file or directory`, ExitCode.failure);
    if (code === 'EACCES') throw new UserError(`${options.readFile}: Permission denied`, ExitCode.failure);
    if (code === 'EISDIR') throw new UserError(`${options.readFile}: Is a directory`, ExitCode.failure);
    throw error;
  }
  dump.finish(dump.lastTimeMs);
  return ExitCode.ok;
}

async function captureLive(options: Options & { device: string }): Promise<number> {
  const { openLiveCapture, VRRP_FILTER, VRRP_AND_ANNOUNCE_FILTER, CaptureError } = await import('@keepalived-ts/wire/capture');
  const dump = new Dump(options, options.device);
  const live = process.stdout.isTTY === true && options.summary && !options.json;
  let linkType: LinkTypeCode = 1;
  let capture: LiveCapture | undefined;
  let redraw: NodeJS.Timeout | undefined;
  // Resolved by -c, a signal, or a capture error; pcap's close() alone does not let node exit.
  const done = new Promise<number>((resolve) => {
    const stop = (code: number) => {
      if (redraw) clearInterval(redraw);
      capture?.close();
      if (live) process.stdout.write('\x1b[2J\x1b[H');
      dump.finish(Date.now());
      if (!options.json) process.stderr.write(`${dump.shown} packets captured${dump.malformed ? `, ${dump.malformed} malformed` : ''}\n`);
      resolve(code);
    };
    process.once('SIGINT', () => stop(ExitCode.ok));
    process.once('SIGTERM', () => stop(ExitCode.ok));
    try {
      capture = openLiveCapture(options.device, options.arp ? VRRP_AND_ANNOUNCE_FILTER : VRRP_FILTER, (record) => {
        if (!dump.record(linkType, record.seconds, record.micros, record.data, record.originalLength)) stop(ExitCode.ok);
        else if (!live && !options.summary) setImmediate(() => dump.out.flush());
      });
    } catch (error) {
      if (error instanceof CaptureError) throw new UserError(error.message, ExitCode.failure);
      throw error;
    }
    linkType = capture.linkType;
    dump.start(linkType);
    process.stderr.write(`listening on ${options.device}, link-type ${LINK_NAMES[linkType]}, snapshot length 65535 bytes\n`);
    if (live) {
      redraw = setInterval(() => process.stdout.write('\x1b[H\x1b[2J' + dump.summaryText(Date.now())), 1000);
    }
  });
  return done;
}

await runMain('vrrpdump', async () => {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return ExitCode.ok;
  const code = options.readFile !== undefined ? readFromFile({ ...options, readFile: options.readFile }) : await captureLive({ ...options, device: options.device! });
  // libpcap's poll keeps the loop alive on an idle link: leave explicitly once output is out.
  process.exit(code);
});
