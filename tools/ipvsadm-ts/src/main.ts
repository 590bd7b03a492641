// ipvsadm-ts: ipvsadm 1.31's command line on IPVS generic netlink, printing
// what ipvsadm prints for the same kernel state (listings, rules, errors,
// exit statuses), plus --json for listings. Exit statuses as ipvsadm: 0 done,
// 1 a listing failed, 2 a command-line error or no IPVS, 255 the kernel
// refused a change (or popt refused an option).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  Ipvs,
  IpvsError,
  formatConnections,
  formatListing,
  formatServiceEntry,
  formatTitle,
  listingJson,
  NO_NAMES,
  type Format,
  type NameResolver,
  type ServiceEntry,
} from '@keepalived-ts/ipvs';
import { CommandLineError, parseCommandLine, splitRestoreLine, type ParsedCommand } from './options.js';
import { LOOKUPS, resolveNames } from './names.js';
import { usageText, VERSION_LINE } from './usage.js';

const PROGRAM = 'ipvsadm-ts';
const CONN_PROC_FILE = '/proc/net/ip_vs_conn';

/** fail() and exit(): a message on stderr and a status, as ipvsadm ends. */
class Exit extends Error {
  constructor(
    readonly status: number,
    readonly text = '',
  ) {
    super(text);
  }
}

const out = (s: string): void => {
  process.stdout.write(s);
};

async function openIpvs(): Promise<Ipvs> {
  try {
    return await Ipvs.open();
  } catch {
    try {
      execFileSync('/sbin/modprobe', ['--', 'ip_vs'], { stdio: 'ignore' });
      return await Ipvs.open();
    } catch (error) {
      const text = error instanceof IpvsError ? error.message : 'Protocol not available';
      throw new Exit(2, `Can't initialize ipvs: ${text}\nAre you sure that IP Virtual Server is built in the kernel or as module?\n`);
    }
  }
}

async function entries(ipvs: Ipvs, services: Awaited<ReturnType<Ipvs['services']>>): Promise<ServiceEntry[]> {
  const result: ServiceEntry[] = [];
  for (const service of services) {
    try {
      result.push({ service, dests: await ipvs.dests(service) });
    } catch (error) {
      throw new Exit(1, `${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return result;
}

async function namesFor(list: readonly ServiceEntry[], format: Format): Promise<NameResolver> {
  if (format.numeric) return NO_NAMES;
  const addrs: [ServiceEntry['service']['af'], string][] = [];
  for (const { service, dests } of list) {
    if (!service.fwmark) addrs.push([service.af, service.address]);
    for (const d of dests) addrs.push([d.af, d.address]);
  }
  return resolveNames(addrs);
}

async function listAll(ipvs: Ipvs, format: Format, json: boolean): Promise<void> {
  const info = format.rule ? undefined : await ipvs.info();
  let services;
  try {
    services = await ipvs.services();
  } catch (error) {
    throw new Exit(1, `${error instanceof Error ? error.message : String(error)}\n`);
  }
  const list = await entries(ipvs, services);
  if (json) {
    out(`${JSON.stringify(listingJson(info, list, format), null, 2)}\n`);
    return;
  }
  out(formatListing(info, list, format, await namesFor(list, format)));
}

async function listService(ipvs: Ipvs, cmd: ParsedCommand): Promise<void> {
  let service;
  try {
    service = await ipvs.service(cmd.service);
  } catch (error) {
    throw new Exit(1, `${error instanceof Error ? error.message : String(error)}\n`);
  }
  const list = await entries(ipvs, [service]);
  if (cmd.json) {
    out(`${JSON.stringify(listingJson(undefined, list, cmd.format), null, 2)}\n`);
    return;
  }
  out(formatTitle(cmd.format) + formatServiceEntry(list[0]!, cmd.format, await namesFor(list, cmd.format)));
}

async function listConnections(format: Format): Promise<void> {
  let text: string;
  try {
    text = readFileSync(CONN_PROC_FILE, 'utf8');
  } catch {
    throw new Exit(1, `cannot open file ${CONN_PROC_FILE}\n`);
  }
  let names = NO_NAMES;
  if (!format.numeric) {
    const { parseConnLine } = await import('@keepalived-ts/ipvs');
    const addrs: [2 | 10, string][] = [];
    for (const line of text.split('\n').slice(1)) {
      const c = parseConnLine(line);
      if (c) addrs.push([c.af, c.client], [c.af, c.virtual], [c.af, c.dest]);
    }
    names = await resolveNames(addrs);
  }
  out(formatConnections(text, format, names));
}

/** process_options after parsing: 0, or -1 (exit 255) when the kernel refused. */
async function run(ipvs: Ipvs, cmd: ParsedCommand, readingStdin: boolean): Promise<number> {
  const change = async (action: () => Promise<void>): Promise<number> => {
    try {
      await action();
      return 0;
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      return -1;
    }
  };
  switch (cmd.command) {
    case 'help':
      out(usageText(PROGRAM));
      throw new Exit(0);
    case 'version':
      out(VERSION_LINE);
      throw new Exit(0);
    case 'list':
      if (cmd.options.has('connection')) await listConnections(cmd.format);
      else if (cmd.options.has('service-address')) await listService(ipvs, cmd);
      else if (cmd.options.has('timeout')) {
        const t = await ipvs.timeouts().catch(() => {
          throw new Exit(1);
        });
        out(cmd.json ? `${JSON.stringify(t)}\n` : `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`);
      } else if (cmd.options.has('daemon')) {
        const ds = await ipvs.daemons().catch(() => {
          throw new Exit(1);
        });
        if (cmd.json) out(`${JSON.stringify(ds)}\n`);
        else for (const d of ds) out(`${d.state & 1 ? 'master' : 'backup'} sync daemon (mcast=${d.mcastIfn}, syncid=${d.syncId})\n`);
      } else await listAll(ipvs, cmd.format, cmd.json);
      return 0;
    case 'restore':
      if (readingStdin) throw new Exit(255, `Try \`${PROGRAM} -h' or '${PROGRAM} --help' for more information.\n`);
      return restore(ipvs);
    case 'save':
      await listAll(ipvs, cmd.format, cmd.json);
      return 0;
    case 'flush':
      return change(() => ipvs.flush());
    case 'add-service':
      return change(() => ipvs.addService(cmd.service));
    case 'edit-service':
      return change(() => ipvs.editService(cmd.service));
    case 'delete-service':
      return change(() => ipvs.deleteService(cmd.service));
    case 'zero':
      return change(() => ipvs.zero(cmd.options.has('service-address') ? cmd.service : undefined));
    case 'add-server':
      return change(() => ipvs.addDest(cmd.service, cmd.dest));
    case 'edit-server':
      return change(() => ipvs.editDest(cmd.service, cmd.dest));
    case 'delete-server':
      return change(() => ipvs.deleteDest(cmd.service, cmd.dest));
    case 'set':
      return change(() => ipvs.setTimeouts(cmd.timeouts!));
    case 'start-daemon':
      return change(() => ipvs.startDaemon(cmd.daemon));
    case 'stop-daemon':
      return change(() => ipvs.stopDaemon(cmd.daemon));
  }
}

function parse(argv: readonly string[]): ParsedCommand {
  try {
    return parseCommandLine(argv, LOOKUPS);
  } catch (error) {
    if (error instanceof CommandLineError) {
      if (error.tryHelp) throw new Exit(255, `Try \`${PROGRAM} -h' or '${PROGRAM} --help' for more information.\n`);
      throw new Exit(error.status, `${error.message}\n`);
    }
    throw error;
  }
}

/** restore_table: every line of stdin as a command line; the status is the last line's. */
async function restore(ipvs: Ipvs): Promise<number> {
  let text = '';
  try {
    text = readFileSync(0, 'utf8');
  } catch {
    // no stdin: nothing to restore
  }
  let result = 0;
  for (const line of text.split('\n')) {
    const args = splitRestoreLine(line);
    if (args.length === 0) continue;
    result = await run(ipvs, parse(args), true);
  }
  return result;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help' || argv[0] === '-v' || argv[0] === '--version')) {
    out(argv[0].includes('v') ? VERSION_LINE : usageText(PROGRAM));
    return 0;
  }
  const ipvs = await openIpvs();
  try {
    if (argv.length === 0) {
      await listAll(ipvs, {}, false);
      return 0;
    }
    return await run(ipvs, parse(argv), false);
  } finally {
    ipvs.close();
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status < 0 ? 255 : status;
  },
  (error: unknown) => {
    if (error instanceof Exit) {
      if (error.text) process.stderr.write(error.text);
      process.exitCode = error.status;
      return;
    }
    process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
