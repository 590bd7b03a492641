// ipvsadm 1.31's command line (popt, ipvsadm.c's parse_options and
// process_options): the same options, checks, messages and exit statuses.
// Pure: names of hosts and services are looked up through `Lookups`.

import {
  AF_INET,
  AF_INET6,
  DAEMON_STATE,
  DEFAULT_PERSISTENT_TIMEOUT,
  DEFAULT_SCHEDULER,
  FWD,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SVC_F,
  TUN_FLAG,
  TUN_TYPE,
  formatAddr,
  inetAton,
  type Af,
  type DestSpec,
  type Format,
  type ServiceSpec,
} from '@keepalived-ts/ipvs';
import { parseIPv6 } from '@keepalived-ts/ipvs';

export type Command =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'flush'
  | 'list'
  | 'add-server'
  | 'delete-server'
  | 'edit-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'zero';

/** ipvsadm's optnames, in its bit order. */
const OPTS = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
  'tun-info',
  'json',
] as const;
type Opt = (typeof OPTS)[number];

/** commands_v_options: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional; columns in OPTS order. */
const LEGAL: Record<Command, string> = {
  //                n c s s p M r f w x y m t d s r t p n s e o p b t t t t t t j
  'add-service': /**/ 'xx+   xxxxxxxxxxxxxxx   xxxxxxx',
  'edit-service': /* */ 'xx+   xxxxxxxxxxxxxxx   xxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush: /*       */ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list: /*        */ ' 11xxxxxxxxx11       xxx       ',
  'add-server': /**/ 'xx+xxx+    xxxxxxxxxxxxx     xx',
  'delete-server': 'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server': /* */ 'xx+xxx+    xxxxxxxxxxxxx     xx',
  set: /*         */ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon': 'xxxxxxxxxxx xxxxxxx xxxxxxxxxxx',
  'stop-daemon': 'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxx',
  restore: /*     */ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save: /*        */ ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxx ',
  zero: /*        */ 'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

export interface Lookups {
  /** getservbyname(name, proto). */
  servicePort(name: string, protocol: number): number | undefined;
  /** gethostbyname: the IPv4 address of a host name. */
  hostAddress(name: string): string | undefined;
}

/** A failure ipvsadm reports with fail() or popt: the message and the exit status. */
export class CommandLineError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Print the "Try ... -h" hint instead of the message. */
    readonly tryHelp = false,
  ) {
    super(message);
  }
}

export interface ParsedCommand {
  readonly command: Command | 'help' | 'version';
  readonly options: ReadonlySet<Opt>;
  readonly format: Format;
  readonly json: boolean;
  readonly service: ServiceSpec;
  readonly dest: DestSpec;
  readonly timeouts?: { readonly tcp: number; readonly tcpFin: number; readonly udp: number };
  readonly daemon: { state: number; mcastIfn: string; syncId: number };
}

const fail = (message: string): never => {
  throw new CommandLineError(message, 2);
};

const INT_MAX = 2147483647;

/** string_to_number: a whole decimal string in [min, max], else -1. */
export function stringToNumber(s: string, min: number, max: number): number {
  if (!/^\s*[+-]?\d+$/.test(s)) return -1;
  const n = Number(s);
  return n >= min && n <= max ? n : -1;
}

interface Mutable {
  af: Af;
  protocol: number;
  address: string;
  port: number;
  fwmark: number;
}

/** parse_service: 0 nothing, 1 address, 3 address and port. */
function parseService(buf: string, target: Mutable, lookups: Lookups): number {
  if (buf === '' || /^\d+$/.test(buf)) return 0;
  let rest = buf;
  let portp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return 0;
    if (rest[close + 1] !== ':') return 0;
    portp = rest.slice(close + 2);
    rest = rest.slice(1, close);
  }
  const v6 = parseIPv6(rest);
  if (v6) {
    target.af = AF_INET6;
    target.address = formatAddr(AF_INET6, v6);
  } else {
    if (portp === undefined) {
      const colon = rest.lastIndexOf(':');
      if (colon >= 0) {
        portp = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
      }
    }
    const v4 = inetAton(rest);
    const host = v4 ? formatAddr(AF_INET, v4) : lookups.hostAddress(rest);
    if (host === undefined) return 0;
    target.af = AF_INET;
    target.address = host;
  }
  if (portp === undefined) return 1;
  const n = stringToNumber(portp, 0, 65535);
  if (n !== -1) target.port = n;
  else {
    const p = lookups.servicePort(portp, target.protocol);
    if (p === undefined) return 0;
    target.port = p;
  }
  return 3;
}

function parseSchedFlags(sched: string | undefined, arg: string): number {
  let flags = 0;
  for (const flag of arg.split(',').filter((f) => f !== '')) {
    const m = /^(sh|mh)-(fallback|port)$/.exec(flag);
    if (flag === 'flag-1') flags |= SVC_F.SCHED1;
    else if (flag === 'flag-2') flags |= SVC_F.SCHED2;
    else if (flag === 'flag-3') flags |= SVC_F.SCHED3;
    else if (m) {
      flags |= m[2] === 'fallback' ? SVC_F.SCHED1 : SVC_F.SCHED2;
      if (sched !== undefined && sched !== m[1]) fail(`incompatible scheduler flag \`${flag}'`);
    } else fail(`invalid scheduler flag \`${flag}'`);
  }
  return flags;
}

/** Long options: name, the tag they act as, and whether they take an argument ('optional' for -p). */
const LONG: Record<string, readonly [string, boolean | 'optional']> = {
  'add-service': ['A', false],
  'edit-service': ['E', false],
  'delete-service': ['D', false],
  clear: ['C', false],
  list: ['L', false],
  zero: ['Z', false],
  'add-server': ['a', false],
  'edit-server': ['e', false],
  'delete-server': ['d', false],
  set: ['set', false],
  help: ['h', false],
  version: ['v', false],
  restore: ['R', false],
  save: ['S', false],
  'start-daemon': ['start-daemon', true],
  'stop-daemon': ['stop-daemon', true],
  'tcp-service': ['t', true],
  'udp-service': ['u', true],
  'sctp-service': ['sctp-service', true],
  'fwmark-service': ['f', true],
  scheduler: ['s', true],
  persistent: ['p', 'optional'],
  netmask: ['M', true],
  'real-server': ['r', true],
  masquerading: ['m', false],
  ipip: ['i', false],
  gatewaying: ['g', false],
  weight: ['w', true],
  'u-threshold': ['x', true],
  'l-threshold': ['y', true],
  numeric: ['n', false],
  connection: ['c', false],
  'mcast-interface': ['mcast-interface', true],
  syncid: ['syncid', true],
  timeout: ['timeout', false],
  daemon: ['daemon', false],
  stats: ['stats', false],
  rate: ['rate', false],
  thresholds: ['thresholds', false],
  'persistent-conn': ['persistent-conn', false],
  nosort: ['nosort', false],
  sort: ['sort', false],
  exact: ['X', false],
  ipv6: ['6', false],
  ops: ['o', false],
  pe: ['pe', true],
  'sched-flags': ['b', true],
  'tun-type': ['tun-type', true],
  'tun-port': ['tun-port', true],
  'tun-nocsum': ['tun-nocsum', false],
  'tun-csum': ['tun-csum', false],
  'tun-remcsum': ['tun-remcsum', false],
  'tun-info': ['tun-info', false],
  json: ['json', false],
};
const SHORT_WITH_ARG = new Set(['t', 'u', 'f', 's', 'M', 'r', 'w', 'x', 'y', 'b']);
const SHORT = new Set([...'AEDCLlZaedhvRSmignXcoI6', ...SHORT_WITH_ARG, 'p']);

const COMMANDS: Record<string, Command | 'help' | 'version'> = {
  A: 'add-service',
  E: 'edit-service',
  D: 'delete-service',
  C: 'flush',
  L: 'list',
  l: 'list',
  Z: 'zero',
  a: 'add-server',
  e: 'edit-server',
  d: 'delete-server',
  set: 'set',
  R: 'restore',
  S: 'save',
  'start-daemon': 'start-daemon',
  'stop-daemon': 'stop-daemon',
  h: 'help',
  v: 'version',
};

/** Splits argv the way popt does: [tag, argument, spelling] triples and the leftover arguments. */
function tokenize(argv: readonly string[]): { opts: [string, string | undefined, string][]; rest: string[] } {
  const opts: [string, string | undefined, string][] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const def = LONG[name];
      if (!def) throw new CommandLineError(`${arg}: unknown option`, 255, opts.length === 0);
      const [tag, takes] = def;
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (takes === true) {
        value = argv[++i];
        if (value === undefined) throw new CommandLineError(`${arg}: missing argument`, 255);
      } else if (takes === 'optional' && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) value = argv[++i];
      opts.push([tag, value, arg]);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        if (!SHORT.has(c)) throw new CommandLineError(`-${c}: unknown option`, 255, opts.length === 0);
        if (SHORT_WITH_ARG.has(c) || c === 'p') {
          let value: string | undefined = arg.slice(j + 1);
          if (value === '') {
            if (c === 'p') value = argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-') ? argv[++i] : undefined;
            else {
              value = argv[++i];
              if (value === undefined) throw new CommandLineError(`-${c}: missing argument`, 255);
            }
          }
          opts.push([c, value, `-${c}`]);
          break;
        }
        opts.push([c, undefined, `-${c}`]);
      }
    } else rest.push(arg);
  }
  return { opts, rest };
}

/** parse_options + process_options' checks: one command line (or one -R line) into a command. */
export function parseCommandLine(argv: readonly string[], lookups: Lookups): ParsedCommand {
  const { opts, rest } = tokenize(argv);
  let command: ParsedCommand['command'] | undefined;
  const options = new Set<Opt>();
  const format: { -readonly [K in keyof Format]: Format[K] } = {};
  let json = false;
  const svc = { af: AF_INET as Af, protocol: 0, address: '0.0.0.0', port: 0, fwmark: 0, scheduler: '', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };
  const dest = { af: AF_INET as Af, address: '0.0.0.0', port: 0, fwd: FWD.DROUTE as number, weight: 1, uThreshold: 0, lThreshold: 0, tunType: 0, tunPort: 0, tunFlags: 0 };
  const daemon = { state: 0, mcastIfn: '', syncId: 0 };
  let schedFlagsArg: string | undefined;

  const setOption = (o: Opt): void => {
    if (options.has(o)) fail(`multiple '${o}' options specified`);
    options.add(o);
  };
  const setCommand = (c: ParsedCommand['command']): void => {
    if (command !== undefined) fail('multiple commands specified');
    command = c;
  };

  if (opts.length === 0) throw new CommandLineError('', 255, true);
  // popt as ipvsadm drives it: the first option must be the command
  // (tryhelp_exit otherwise), and a command later on is an invalid option.
  if (COMMANDS[opts[0]![0]] === undefined) throw new CommandLineError('', 255, true);
  for (const [tag, arg, spelling] of opts) {
    const cmd = COMMANDS[tag];
    if (cmd !== undefined) {
      if (command !== undefined) fail(`invalid option \`${spelling}'`);
      setCommand(cmd);
      if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
        if (arg === 'master') daemon.state = DAEMON_STATE.MASTER;
        else if (arg === 'backup') daemon.state = DAEMON_STATE.BACKUP;
        else fail(cmd === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
      }
      if (cmd === 'help' || cmd === 'version') break;
      continue;
    }
    const value = arg ?? '';
    switch (tag) {
      case 't':
      case 'u':
      case 'sctp-service': {
        setOption('service-address');
        svc.protocol = tag === 't' ? IPPROTO_TCP : tag === 'u' ? IPPROTO_UDP : IPPROTO_SCTP;
        if (!(parseService(value, svc, lookups) & 1)) fail('illegal virtual server address[:port] specified');
        if (svc.af === AF_INET6 && svc.netmask === 0xffffffff) svc.netmask = 128;
        break;
      }
      case 'f': {
        setOption('service-address');
        svc.af = AF_INET;
        svc.protocol = IPPROTO_TCP;
        const n = /^\s*[+-]?\d+$/.test(value) ? Number(value) : NaN;
        if (!(n > 0 && n <= 0xffffffff)) fail(`invalid fwmark value \`${value}' specified`);
        svc.fwmark = n;
        break;
      }
      case '6':
        if (svc.fwmark) {
          svc.af = AF_INET6;
          svc.netmask = 128;
          svc.address = '::';
        } else fail('-6 used before -f\n');
        break;
      case 's':
        setOption('scheduler');
        svc.scheduler = value.slice(0, 15);
        break;
      case 'p':
        setOption('persistent');
        svc.flags |= SVC_F.PERSISTENT;
        if (arg === undefined) svc.timeout = DEFAULT_PERSISTENT_TIMEOUT;
        else {
          const n = stringToNumber(arg, 1, 86400 * 31);
          if (n === -1) fail(`invalid timeout value \`${arg}' specified`);
          svc.timeout = n;
        }
        break;
      case 'M':
        setOption('netmask');
        if (svc.af !== AF_INET6) {
          const m = inetAton(value) ?? (lookups.hostAddress(value) !== undefined ? inetAton(lookups.hostAddress(value)!) : undefined);
          if (!m) fail('illegal virtual server persistent mask specified');
          svc.netmask = m!.readUInt32BE(0);
        } else {
          const n = Number.parseInt(value, 10);
          if (!(n >= 1 && n <= 128)) fail('illegal ipv6 netmask specified');
          svc.netmask = n;
        }
        break;
      case 'r': {
        setOption('real-server');
        const t = { ...svc };
        const parse = parseService(value, t, lookups);
        if (!(parse & 1)) fail('illegal real server address[:port] specified');
        dest.af = t.af;
        dest.address = t.address;
        dest.port = parse === 1 ? svc.port : t.port;
        break;
      }
      case 'i':
        setOption('forwarding-method');
        dest.fwd = FWD.TUNNEL;
        break;
      case 'g':
        setOption('forwarding-method');
        dest.fwd = FWD.DROUTE;
        break;
      case 'm':
        setOption('forwarding-method');
        dest.fwd = FWD.MASQ;
        break;
      case 'w': {
        setOption('weight');
        const n = stringToNumber(value, 0, INT_MAX);
        if (n === -1) fail('illegal weight specified');
        dest.weight = n;
        break;
      }
      case 'x': {
        setOption('u-threshold');
        const n = stringToNumber(value, 0, INT_MAX);
        if (n === -1) fail('illegal u_threshold specified');
        dest.uThreshold = n;
        break;
      }
      case 'y': {
        setOption('l-threshold');
        const n = stringToNumber(value, 0, INT_MAX);
        if (n === -1) fail('illegal l_threshold specified');
        dest.lThreshold = n;
        break;
      }
      case 'c':
        setOption('connection');
        break;
      case 'n':
        setOption('numeric');
        format.numeric = true;
        break;
      case 'mcast-interface':
        setOption('mcast-interface');
        daemon.mcastIfn = value.slice(0, 15);
        break;
      case 'syncid':
      case 'I': {
        setOption('syncid');
        const n = stringToNumber(value, 0, 255);
        if (n === -1) fail('illegal syncid specified');
        daemon.syncId = n;
        break;
      }
      case 'timeout':
        setOption('timeout');
        break;
      case 'daemon':
        setOption('daemon');
        break;
      case 'stats':
        setOption('stats');
        format.stats = true;
        break;
      case 'rate':
        setOption('rate');
        format.rate = true;
        break;
      case 'thresholds':
        setOption('thresholds');
        format.thresholds = true;
        break;
      case 'persistent-conn':
        setOption('persistent-conn');
        format.persistentConn = true;
        break;
      case 'nosort':
        setOption('nosort');
        format.noSort = true;
        break;
      case 'sort':
        break;
      case 'X':
        setOption('exact');
        format.exact = true;
        break;
      case 'o':
        setOption('ops');
        svc.flags |= SVC_F.ONEPACKET;
        break;
      case 'pe':
        setOption('pe');
        svc.pe = value.slice(0, 31);
        break;
      case 'b':
        setOption('sched-flags');
        schedFlagsArg = value;
        break;
      case 'tun-type': {
        setOption('tun-type');
        const t = (TUN_TYPE as Record<string, number>)[value];
        if (t === undefined) fail('illegal tunnel type specified');
        dest.tunType = t!;
        break;
      }
      case 'tun-port': {
        setOption('tun-port');
        const n = stringToNumber(value, 1, 65535);
        if (n === -1) fail('illegal tunnel port specified');
        dest.tunPort = n;
        break;
      }
      case 'tun-nocsum':
        setOption('tun-nocsum');
        dest.tunFlags = TUN_FLAG.NOCSUM;
        break;
      case 'tun-csum':
        setOption('tun-csum');
        dest.tunFlags = TUN_FLAG.CSUM;
        break;
      case 'tun-remcsum':
        setOption('tun-remcsum');
        dest.tunFlags = TUN_FLAG.REMCSUM;
        break;
      case 'tun-info':
        setOption('tun-info');
        format.tunInfo = true;
        break;
      case 'json':
        setOption('json');
        json = true;
        break;
    }
  }
  if (command === undefined) throw new CommandLineError('', 255, true);

  let timeouts: ParsedCommand['timeouts'];
  if (command === 'set') {
    const [a, b, c] = rest.splice(0, 3);
    if (a === undefined || b === undefined || c === undefined) fail('--set option requires 3 timeout values');
    const t = (s: string): number => {
      const n = stringToNumber(s, 0, 86400 * 31);
      if (n === -1) fail(`invalid timeout value \`${s}' specified`);
      return n;
    };
    timeouts = { tcp: t(a!), tcpFin: t(b!), udp: t(c!) };
  }
  if (rest.length > 0) fail(`unexpected argument ${rest[0]}`);
  if (command === 'help' || command === 'version') return { command, options, format, json, service: svc, dest, daemon };

  if (schedFlagsArg !== undefined) svc.flags |= parseSchedFlags(svc.scheduler || undefined, schedFlagsArg);

  // generic_opt_check
  const legal = LEGAL[command];
  let last: Opt | undefined;
  OPTS.forEach((o, j) => {
    const rule = legal[j] ?? 'x';
    if (!options.has(o)) {
      if (rule === '+') fail(`You need to supply the '${o}' option for the '${command}' command`);
    } else {
      if (rule === 'x') fail(`Illegal '${o}' option with the '${command}' command`);
      if (rule === '1') {
        if (last === undefined) last = o;
        else fail(`The option '${o}' conflicts with the '${last}' option in the '${command}' command`);
      }
    }
  });

  if (command === 'add-service' || command === 'edit-service') {
    if (!svc.fwmark && !svc.port && !(svc.flags & SVC_F.PERSISTENT)) fail('Zero port specified for non-persistent service');
    if (svc.flags & SVC_F.ONEPACKET && !svc.fwmark && svc.protocol !== IPPROTO_UDP) fail('One-Packet Scheduling is only for UDP virtual services');
    if (svc.scheduler === '') svc.scheduler = DEFAULT_SCHEDULER;
  }
  if (command === 'add-server' || command === 'edit-server') {
    if (!svc.fwmark && (dest.fwd === FWD.TUNNEL || dest.fwd === FWD.DROUTE)) dest.port = svc.port;
  }
  if (command === 'start-daemon' && daemon.mcastIfn === '') daemon.mcastIfn = 'eth0';
  if (command === 'list') {
    const listing = options.has('connection') || options.has('timeout') || options.has('daemon');
    if (listing && (options.has('stats') || options.has('persistent-conn') || options.has('rate') || options.has('thresholds'))) {
      fail('options conflicts in the list command');
    }
  }
  if (command === 'save') format.rule = true;
  return { command, options, format, json, service: svc, dest, daemon, ...(timeouts ? { timeouts } : {}) };
}

/** config_stream_read: one -R line into arguments (white space separated, double quotes group). */
export function splitRestoreLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
