// hcheck CHECK TARGET [OPTIONS]: one check, with retries, then one line and
// an exit status (0 up, 1 down, 2 usage or config error). Each check is a
// row of SUBCOMMANDS: its options, and how its flags become a checker call.

import { booleanFlag, colourFor, commandLine, ExitCode, integerFlag, parseFlags, stringFlag, usageError, type ParsedFlags } from '@keepalived-ts/cli';
import {
  dnsCheck,
  dnsNameError,
  dnsTypeCode,
  DNS_DEFAULT_NAME,
  DNS_DEFAULT_PORT,
  DNS_DEFAULT_TYPE,
  DNS_TYPES,
  miscCheck,
  pingCheck,
  smtpCheck,
  SMTP_DEFAULT_HELO,
  SMTP_DEFAULT_PORT,
  tcpCheck,
  udpCheck,
  withRetry,
  type CheckResult,
} from '@keepalived-ts/checks';
import { readAccounts } from '@keepalived-ts/config';
import { parseDataArgument, parseUser } from './arguments.js';
import { httpSubcommand } from './httpCommand.js';
import { reportJson, reportLine } from './report.js';
import { parseHost, parseHostPort, resolveHost } from './target.js';

type CAC = ReturnType<typeof commandLine>;

/** keepalived's connect_timeout default (5 s) and delay_before_retry default (1 s). */
export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_DELAY_BEFORE_RETRY_MS = 1_000;

export interface CommonOptions {
  readonly timeoutMs: number;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly bindTo: string | undefined;
}

/** What a subcommand gets: its positional arguments and flags, read as typed. */
export interface CommandInput {
  readonly args: readonly string[];
  /** The words after `--`. */
  readonly rest: readonly string[];
  readonly common: CommonOptions;
  /** A flag's value exactly as typed (cac would turn "0012" into 12), or undefined. */
  text(key: string): string | undefined;
  flag(key: string): boolean;
}

export interface PreparedCheck {
  /** What was checked, for the report: "10.0.0.2:80", a URL, a command. */
  readonly target: string;
  /** The address, when the target named a host. */
  readonly address?: string;
  attempt(): Promise<CheckResult>;
}

export interface Subcommand {
  readonly name: string;
  /** After "hcheck NAME": "HOST:PORT [--helo NAME]". */
  readonly synopsis: string;
  readonly summary: string;
  /** Whether --bind applies (keepalived's PING_CHECK and MISC_CHECK have no bindto). */
  readonly bind: boolean;
  readonly positional: { readonly min: number; readonly max: number; readonly names: string };
  declare(cli: CAC): void;
  readonly examples: readonly string[];
  prepare(input: CommandInput): Promise<PreparedCheck>;
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Reads the raw text of `--name VALUE` / `--name=VALUE` from argv (before
 * `--`): cac has already made "0012" the number 12, and a payload of 0012
 * is two bytes, not one.
 */
function rawFlagText(argv: readonly string[], key: string): string | undefined {
  const long = `--${kebab(key)}`;
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === long && i + 1 < argv.length) found = argv[i + 1];
    else if (arg.startsWith(`${long}=`)) found = arg.slice(long.length + 1);
  }
  return found;
}

/** A text flag: stringFlag's checks (repeated, missing value), then the text as typed. */
function readText(argv: readonly string[], flags: ParsedFlags, key: string): string | undefined {
  if (stringFlag(flags, key) === undefined) return undefined;
  return rawFlagText(argv, key) ?? stringFlag(flags, key);
}

async function hostPortTarget(text: string, defaultPort?: number): Promise<{ host: string; port: number; target: string; address?: string }> {
  const { host, port } = parseHostPort(text, defaultPort);
  const address = await resolveHost(host);
  return { host: address, port, target: text, ...(address !== host ? { address } : {}) };
}

const tcp: Subcommand = {
  name: 'tcp',
  synopsis: 'HOST:PORT',
  summary: "TCP_CHECK: up when a TCP connection opens",
  bind: true,
  positional: { min: 1, max: 1, names: 'HOST:PORT' },
  declare: () => undefined,
  examples: ['hcheck tcp 10.0.0.2:80', 'hcheck tcp [fd00::2]:443 --timeout 1000'],
  async prepare({ args, common }) {
    const t = await hostPortTarget(args[0]!);
    return { ...t, attempt: () => tcpCheck({ host: t.host, port: t.port, timeoutMs: common.timeoutMs, bindTo: common.bindTo }) };
  },
};

const smtp: Subcommand = {
  name: 'smtp',
  synopsis: 'HOST[:PORT] [--helo NAME]',
  summary: 'SMTP_CHECK: the 220 greeting, HELO and its 250, then QUIT',
  bind: true,
  positional: { min: 1, max: 1, names: 'HOST[:PORT]' },
  declare: (cli) => cli.option('--helo <name>', `HELO with NAME (keepalived's helo_name; default ${SMTP_DEFAULT_HELO})`),
  examples: ['hcheck smtp 10.0.0.25', 'hcheck smtp [fd00::25]:587 --helo lb1.example.com'],
  async prepare({ args, common, text }) {
    const t = await hostPortTarget(args[0]!, SMTP_DEFAULT_PORT);
    const heloName = text('helo');
    return { ...t, attempt: () => smtpCheck({ host: t.host, port: t.port, heloName, timeoutMs: common.timeoutMs, bindTo: common.bindTo }) };
  },
};

const dns: Subcommand = {
  name: 'dns',
  synopsis: 'SERVER[:PORT] [--name NAME] [--type TYPE]',
  summary: 'DNS_CHECK: one query over UDP; up on NOERROR with an answer',
  bind: true,
  positional: { min: 1, max: 1, names: 'SERVER[:PORT]' },
  declare: (cli) =>
    cli
      .option('--name <name>', `The name to ask for (default ${DNS_DEFAULT_NAME}, keepalived's)`)
      .option('--type <type>', `${Object.keys(DNS_TYPES).join(', ')} (default ${DNS_DEFAULT_TYPE}, keepalived's)`),
  examples: ['hcheck dns 10.0.0.53 --name www.example.com --type A', 'hcheck dns [fd00::53]:5353'],
  async prepare({ args, common, text }) {
    const t = await hostPortTarget(args[0]!, DNS_DEFAULT_PORT);
    const name = text('name') ?? DNS_DEFAULT_NAME;
    const problem = dnsNameError(name);
    if (problem) throw usageError(`--name: ${problem}`);
    const type = text('type') ?? DNS_DEFAULT_TYPE;
    if (dnsTypeCode(type) === undefined) throw usageError(`--type ${JSON.stringify(type)}: one of ${Object.keys(DNS_TYPES).join(', ')}`);
    return { ...t, attempt: () => dnsCheck({ host: t.host, port: t.port, name, type, timeoutMs: common.timeoutMs, bindTo: common.bindTo }) };
  },
};

const udp: Subcommand = {
  name: 'udp',
  synopsis: 'HOST:PORT [--payload HEX|TEXT] [--require-reply] [--reply HEX|TEXT]',
  summary: 'UDP_CHECK: send a datagram; down on an ICMP error (or, with --require-reply, on silence)',
  bind: true,
  positional: { min: 1, max: 1, names: 'HOST:PORT' },
  declare: (cli) =>
    cli
      .option('--payload <data>', "What to send: keepalived's hex (68 65 6c 6c 6f) or text (default keepalived's 32 bytes)")
      .option('--require-reply', 'A reply must come within the timeout (else silence is up, as in keepalived)')
      .option('--reply <data>', 'The reply must start with this: hex (x is a wildcard nibble) or text; implies --require-reply'),
  examples: ['hcheck udp 10.0.0.2:53', 'hcheck udp 10.0.0.2:7 --payload ping --reply ping --timeout 1000'],
  async prepare({ args, common, text, flag }) {
    const t = await hostPortTarget(args[0]!);
    const payloadText = text('payload');
    const replyText = text('reply');
    const payload = payloadText === undefined ? undefined : parseDataArgument('payload', payloadText, false).data;
    const expectedReply = replyText === undefined ? undefined : parseDataArgument('reply', replyText, true);
    const requireReply = flag('requireReply');
    return { ...t, attempt: () => udpCheck({ host: t.host, port: t.port, payload, requireReply, expectedReply, timeoutMs: common.timeoutMs, bindTo: common.bindTo }) };
  },
};

const ping: Subcommand = {
  name: 'ping',
  synopsis: 'HOST',
  summary: 'PING_CHECK: one ICMP or ICMPv6 echo request (needs root or CAP_NET_RAW)',
  bind: false,
  positional: { min: 1, max: 1, names: 'HOST' },
  declare: () => undefined,
  examples: ['hcheck ping 10.0.0.2', 'hcheck ping fd00::2 --timeout 500'],
  async prepare({ args, common }) {
    const host = parseHost(args[0]!);
    const address = await resolveHost(host);
    return { target: args[0]!, ...(address !== host ? { address } : {}), attempt: () => pingCheck({ host: address, timeoutMs: common.timeoutMs }) };
  },
};

const misc: Subcommand = {
  name: 'misc',
  synopsis: '[--dynamic] [--user USER[:GROUP]] -- COMMAND [ARG...]',
  summary: 'MISC_CHECK: run a command; exit 0 is up, anything else down',
  bind: false,
  positional: { min: 0, max: Infinity, names: 'COMMAND [ARG...]' },
  declare: (cli) =>
    cli
      .option('--dynamic', "keepalived's misc_dynamic: exit 2-255 is up too, with weight = status - 2")
      .option('--user <user>', "Run as USER[:GROUP], names or numbers (keepalived's script_user; needs root)"),
  examples: ['hcheck misc -- /usr/local/bin/check_db --host 10.0.0.5', 'hcheck misc --dynamic --user nobody -- /etc/keepalived/weight.sh'],
  async prepare({ args, rest, common, text, flag }) {
    const command = [...args, ...rest];
    if (command.length === 0) throw usageError('misc: give the command after --, e.g. hcheck misc -- /path/to/script ARG');
    const userText = text('user');
    let identity: { uid: number; gid: number } | undefined;
    if (userText !== undefined) {
      identity = parseUser(userText, readAccounts());
    }
    await assertRunnable(command[0]!);
    const dynamic = flag('dynamic');
    return { target: command.map(shellWord).join(' '), attempt: () => miscCheck({ command, dynamic, timeoutMs: common.timeoutMs, ...identity }) };
  },
};

/** A word as a shell would need it quoted, for showing the command. */
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** keepalived disables a misc_path it cannot find or execute: here that is a config error (2), not a down server. */
async function assertRunnable(program: string): Promise<void> {
  const { access, constants } = await import('node:fs/promises');
  const candidates = program.includes('/') ? [program] : (process.env['PATH'] ?? '').split(':').filter(Boolean).map((dir) => `${dir}/${program}`);
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return;
    } catch {
      // Try the next directory.
    }
  }
  throw usageError(`misc: ${program}: ${program.includes('/') ? 'not found or not executable' : 'not found in PATH'}`);
}

export const SUBCOMMANDS: readonly Subcommand[] = [tcp, httpSubcommand('http'), httpSubcommand('https'), smtp, dns, udp, ping, misc];

/** Options of every check that take a value: needed to find the subcommand among the words. */
const COMMON_VALUE_OPTIONS = new Set(['--timeout', '--retry', '--delay-before-retry', '--bind']);

export type CommandLineShape = { readonly kind: 'check'; readonly index: number } | { readonly kind: 'daemon' } | { readonly kind: 'none' };

/** Finds the subcommand (or keepalived's -f FILE) among the words, skipping common options and their values. */
export function shapeOf(argv: readonly string[]): CommandLineShape {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { kind: 'none' };
    if (arg === '-f' || arg === '--use-file' || arg.startsWith('--use-file=') || /^-f./.test(arg) || arg === '-t' || arg === '--config-test') return { kind: 'daemon' };
    if (COMMON_VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return { kind: 'check', index: i };
  }
  return { kind: 'none' };
}

export function overviewText(): string {
  const width = Math.max(...SUBCOMMANDS.map((s) => s.name.length));
  return [
    'hcheck: check a real server once, as keepalived\'s checkers do',
    '',
    'Usage:',
    ...SUBCOMMANDS.map((s) => `  hcheck ${s.name} ${s.synopsis}`),
    '  hcheck -f keepalived.conf [-t] [--events PATH] [--dry-run]   (the checker daemon; hcheck -f --help)',
    '',
    'Checks:',
    ...SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'Options of every check:',
    ...COMMON_HELP.map(([flags, text]) => `  ${flags.padEnd(26)}${text}`),
    '',
    'Exit status: 0 up, 1 down, 2 usage or configuration error.',
    '`hcheck CHECK --help` shows the options of one check; man hcheck(8) has the rest.',
    '',
  ].join('\n');
}

const COMMON_HELP: readonly (readonly [string, string])[] = [
  ['--timeout <ms>', `Bound on the whole check, as keepalived's connect_timeout (default ${DEFAULT_TIMEOUT_MS})`],
  ['--retry <n>', "Try N more times before answering down (keepalived's retry; default 0)"],
  ['--delay-before-retry <ms>', `Pause between tries (default ${DEFAULT_DELAY_BEFORE_RETRY_MS})`],
  ['--bind <addr>', "Connect from this local address (keepalived's bindto; not ping, misc)"],
  ['--json', 'One JSON object instead of the line'],
  ['-q, --quiet', 'Print nothing; the exit status answers'],
  ['--no-color', 'No colour (also with NO_COLOR, or when output is not a terminal)'],
];

function commandCli(command: Subcommand): CAC {
  const cli = commandLine(`hcheck ${command.name}`);
  cli.usage(`${command.synopsis} [--timeout MS] [--retry N] [--json | -q]\n\n${command.summary}.`);
  command.declare(cli);
  for (const [flags, text] of COMMON_HELP) {
    if (flags === '--bind <addr>' && !command.bind) continue;
    cli.option(flags, text);
  }
  for (const example of command.examples) cli.example(example);
  return cli;
}

export async function runOneShot(argv: readonly string[], index: number): Promise<number> {
  const name = argv[index]!;
  const command = SUBCOMMANDS.find((s) => s.name === name);
  if (!command) throw usageError(`unknown check ${JSON.stringify(name)}: one of ${SUBCOMMANDS.map((s) => s.name).join(', ')} (see hcheck --help)`);
  const words = [...argv.slice(0, index), ...argv.slice(index + 1)];
  if (!command.bind && words.some((word) => word === '--bind' || word.startsWith('--bind='))) {
    throw usageError(`${command.name} has no --bind (keepalived's ${command.name.toUpperCase()}_CHECK has no bindto)`);
  }
  const cli = commandCli(command);
  const parsed = parseFlags(cli, words);
  if (parsed.flags['help']) {
    cli.outputHelp();
    return ExitCode.ok;
  }
  const { flags } = parsed;
  const rest = Array.isArray(flags['--']) ? (flags['--'] as unknown[]).map(String) : [];
  if (rest.length > 0 && command.name !== 'misc') throw usageError(`${command.name}: unexpected ${JSON.stringify(rest[0])} after --`);
  const { min, max, names } = command.positional;
  if (parsed.args.length < min) throw usageError(`${command.name}: give ${names} (see hcheck ${command.name} --help)`);
  if (parsed.args.length > max) throw usageError(`${command.name}: unexpected argument ${JSON.stringify(parsed.args[max])}`);

  const bindText = command.bind ? readText(words, flags, 'bind') : undefined;
  const { isIP } = await import('node:net');
  if (bindText !== undefined && isIP(bindText) === 0) throw usageError(`--bind ${JSON.stringify(bindText)} is not an IP address`);
  const common: CommonOptions = {
    timeoutMs: integerFlag(flags, 'timeout', 1, 3_600_000) ?? DEFAULT_TIMEOUT_MS,
    retry: integerFlag(flags, 'retry', 0, 1000) ?? 0,
    delayBeforeRetryMs: integerFlag(flags, 'delayBeforeRetry', 0, 3_600_000) ?? DEFAULT_DELAY_BEFORE_RETRY_MS,
    bindTo: bindText,
  };
  const json = booleanFlag(flags, 'json');
  const quiet = booleanFlag(flags, 'quiet');
  if (json && quiet) throw usageError('--json and -q: choose one');

  const prepared = await command.prepare({
    args: parsed.args,
    rest,
    common,
    text: (key) => readText(words, flags, key),
    flag: (key) => booleanFlag(flags, key),
  });
  let attempts = 0;
  let result: CheckResult;
  try {
    result = await withRetry(
      () => {
        attempts += 1;
        return prepared.attempt();
      },
      { retry: common.retry, delayBeforeRetryMs: common.delayBeforeRetryMs },
    );
  } catch (error) {
    // Checkers throw RangeError only on options they cannot use (a bind address of the other family).
    if (error instanceof RangeError) throw usageError(`${command.name}: ${error.message}`);
    throw error;
  }
  const report = { check: command.name, target: prepared.target, ...(prepared.address ? { address: prepared.address } : {}), result, attempts };
  if (json) process.stdout.write(reportJson(report) + '\n');
  else if (!quiet) process.stdout.write(reportLine(report, colourFor(process.stdout, flags['color'] === false)) + '\n');
  return result.status === 'up' ? ExitCode.ok : ExitCode.failure;
}

