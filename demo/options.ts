// The demo's flags: what people will try first (a faster advert interval,
// more routers, a real keepalived among them), checked up front so that a
// typo costs a one-line error and status 2, never a half-built lab.

import { booleanFlag, commandLine, integerFlag, parseFlags, stringFlag, usageError } from '@keepalived-ts/cli';

export interface DemoOptions {
  /** Seconds between adverts (VRRPv3 allows centiseconds). */
  readonly advertIntSeconds: number;
  /** The advert interval as written in keepalived.conf ("1", "0.1"). */
  readonly advertIntText: string;
  readonly vrrpVersion: 2 | 3;
  /** How many routers, node1 .. nodeN, priorities descending. */
  readonly nodes: number;
  /** Run node2 (the backup that takes over) as Debian's keepalived instead of vrrpd. */
  readonly keepalived: boolean;
  /** Name prefix of every namespace; undefined for a fresh unique one. */
  readonly prefix: string | undefined;
  /** Show every log line of every router, not only the transitions. */
  readonly verbose: boolean;
  readonly noColor: boolean;
}

export type ParsedCommandLine = { readonly help: true } | { readonly help: false; readonly options: DemoOptions };

export const MIN_NODES = 2;
export const MAX_NODES = 5;
// Below 0.05 s the client's 100 ms request rhythm could no longer tell the steps apart.
const MIN_ADVERT_INT = 0.05;
const MAX_ADVERT_INT = 10;

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const cli = commandLine('demo');
  cli.usage(
    '[--advert-int S] [--vrrp-version 2|3] [--nodes N] [--keepalived] [--no-color]\n\n' +
      'Builds a lab of network namespaces (routers node1..nodeN with vrrpd on one switch, each\n' +
      'serving HTTP on the VIP, and a client asking http://VIP/ ten times a second), crashes the\n' +
      'master, measures the failover, brings it back, shows the preemption, and removes it all.\n' +
      'Needs root. Exit status: 0 done, 1 something did not happen in time, 2 usage.',
  );
  cli
    .option('--advert-int <s>', 'Advert interval in seconds (default 1; not a whole number: VRRPv3)')
    .option('--vrrp-version <v>', 'VRRP version 2 or 3 (default 2, or 3 for a fractional --advert-int)')
    .option('--nodes <n>', `Routers, ${MIN_NODES} to ${MAX_NODES} (default 2); priorities 150, 100, 90, ...`)
    .option('--keepalived', "Run node2 as Debian's keepalived with the same keepalived.conf (interop)")
    .option('--prefix <name>', 'Namespace name prefix, 1-11 of [a-z0-9] (default: a fresh kt....demo)')
    .option('-v, --verbose', 'Show every log line of every router')
    .option('--no-color', 'No colour (also with NO_COLOR, or when stdout is not a terminal)');
  // cac marks a --no-* flag "(default: true)", which reads as if colour were off by default.
  cli.help((sections) => sections.map((section) => ({ ...section, body: section.body.replace(' (default: true)', '') })));
  cli.example('bash scripts/demo.sh');
  cli.example('bash scripts/demo.sh --advert-int 0.1 --nodes 3');
  cli.example('bash scripts/demo.sh --keepalived --no-color | tee demo.log');

  const parsed = parseFlags(cli, argv);
  const flags = parsed.flags;
  // cac has already printed the help while parsing.
  if (flags['help']) return { help: true };
  if (parsed.args.length > 0) throw usageError(`unexpected argument ${JSON.stringify(parsed.args[0])} (see --help)`);

  // stringFlag would name a missing value by its camelCase key (--advertInt).
  for (const [key, flag] of [['advertInt', '--advert-int'], ['vrrpVersion', '--vrrp-version'], ['nodes', '--nodes'], ['prefix', '--prefix']] as const) {
    if (flags[key] === true) throw usageError(`${flag} needs a value`);
  }
  const advertIntText = stringFlag(flags, 'advertInt') ?? '1';
  const advertIntSeconds = Number(advertIntText);
  if (!/^\d+(\.\d{1,2})?$/.test(advertIntText) || advertIntSeconds < MIN_ADVERT_INT || advertIntSeconds > MAX_ADVERT_INT) {
    throw usageError(`--advert-int ${JSON.stringify(advertIntText)}: seconds from ${MIN_ADVERT_INT} to ${MAX_ADVERT_INT}, in steps of 0.01`);
  }
  const versionText = stringFlag(flags, 'vrrpVersion');
  if (versionText !== undefined && versionText !== '2' && versionText !== '3') {
    throw usageError(`--vrrp-version ${JSON.stringify(versionText)}: 2 or 3`);
  }
  const whole = Number.isInteger(advertIntSeconds);
  // RFC 3768 carries the interval in whole seconds; RFC 5798 in centiseconds.
  if (versionText === '2' && !whole) throw usageError(`--advert-int ${advertIntText} needs VRRPv3 (VRRPv2 counts whole seconds)`);
  const vrrpVersion: 2 | 3 = versionText === '3' || !whole ? 3 : 2;

  const prefix = stringFlag(flags, 'prefix');
  if (prefix !== undefined && !/^[a-z0-9]{1,11}$/.test(prefix)) {
    throw usageError(`--prefix ${JSON.stringify(prefix)}: 1 to 11 characters of [a-z0-9]`);
  }

  return {
    help: false,
    options: {
      advertIntSeconds,
      advertIntText: String(advertIntSeconds),
      vrrpVersion,
      nodes: integerFlag(flags, 'nodes', MIN_NODES, MAX_NODES) ?? 2,
      keepalived: booleanFlag(flags, 'keepalived'),
      prefix,
      verbose: booleanFlag(flags, 'verbose'),
      noColor: flags['color'] === false,
    },
  };
}
