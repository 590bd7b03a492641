// vipctl's grammar: a command, at most one address operand, ip(8)-style
// keywords (`dev eth0 label eth0:1`), and flags; which of them go with which
// command is one table, so that a flag that would be ignored is refused.

import { booleanFlag, commandLine, integerFlag, parseFlags, usageError, UserError, type ParsedFlags } from '@keepalived-ts/cli';
import { ANNOUNCE_MAX_COUNT, DEFAULT_ANNOUNCE_COUNT, parseVip, VipExit, type VipAddress } from '@keepalived-ts/vip';

export const COMMAND_NAMES = ['add', 'del', 'list', 'check', 'flush', 'apply'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

type Keyword = 'dev' | 'label' | 'brd' | 'scope';
type FlagName = 'garp' | 'garpCount' | 'garpDelay' | 'force' | 'owned' | 'json' | 'quiet';

const FLAG_TEXT: Readonly<Record<FlagName, string>> = {
  garp: '--garp',
  garpCount: '--garp-count',
  garpDelay: '--garp-delay',
  force: '--force',
  owned: '--owned',
  json: '--json',
  quiet: '-q',
};

interface CommandShape {
  readonly operand: 'address' | 'none';
  readonly keywords: readonly Keyword[];
  readonly flags: readonly FlagName[];
}

const COMMANDS: Readonly<Record<CommandName, CommandShape>> = {
  add: { operand: 'address', keywords: ['dev', 'label', 'brd', 'scope'], flags: ['garp', 'garpCount', 'force', 'json', 'quiet'] },
  del: { operand: 'address', keywords: ['dev'], flags: ['force', 'json', 'quiet'] },
  list: { operand: 'none', keywords: ['dev'], flags: ['owned', 'json'] },
  check: { operand: 'address', keywords: ['dev'], flags: ['json', 'quiet'] },
  flush: { operand: 'none', keywords: ['dev'], flags: ['owned', 'json', 'quiet'] },
  apply: { operand: 'none', keywords: [], flags: ['garpCount', 'garpDelay', 'json', 'quiet'] },
};

/** keepalived's vrrp_garp_master_delay default: the second burst after becoming master. */
const DEFAULT_GARP_DELAY_S = 5;

export interface Invocation {
  readonly command: CommandName;
  /** The address operand of add, del and check. */
  readonly vip: VipAddress | undefined;
  readonly dev: string | undefined;
  readonly label: string | undefined;
  readonly broadcast: string | undefined;
  readonly scope: string | undefined;
  /** Frames per address when announcing (add --garp, apply); undefined for add without --garp. */
  readonly garpCount: number | undefined;
  readonly garpDelayMs: number;
  readonly force: boolean;
  readonly owned: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly noColor: boolean;
}

const EXIT_STATUS_HELP = `  0  done (or nothing to do: already there, already gone)
  1  check: the address is not bound; any other failure
  2  usage error
  3  no such device
  4  not permitted (needs root or CAP_NET_ADMIN; CAP_NET_RAW to announce)
  5  invalid address, prefix length, label, broadcast, scope or MAC
  6  the address is already bound on another interface (or with another prefix length)
  7  not ours: the address carries no vipctl/vrrpd mark (del without --force; flush on a kernel without marks)
  8  apply: the event stream ended (EOF); addresses are left as they are`;

/**
 * integerFlag names the flag by cac's camelCase key (`--garpCount`); the
 * message must name the flag as typed.
 */
function wholeNumberFlag(flags: ParsedFlags, key: FlagName, min: number, max: number): number | undefined {
  try {
    return integerFlag(flags, key, min, max);
  } catch (error) {
    if (error instanceof UserError) throw usageError(error.message.replace(`--${key}`, FLAG_TEXT[key]));
    throw error;
  }
}

/** Parses argv; undefined after --help. */
export function parseInvocation(argv: readonly string[]): Invocation | undefined {
  const cli = commandLine('vipctl');
  cli.usage(
    [
      'add ADDR[/PREFIX] dev IF [label LABEL] [brd ADDR|+|-] [scope SCOPE] [--garp [--garp-count N]] [--force]',
      '  $ vipctl del ADDR[/PREFIX] dev IF [--force]',
      '  $ vipctl list [dev IF] [--owned]',
      '  $ vipctl check ADDR[/PREFIX] [dev IF]',
      '  $ vipctl flush --owned [dev IF]',
      '  $ vipctl apply [--garp-count N] [--garp-delay SECONDS]     (vrrpd events on stdin)',
    ].join('\n'),
  );
  cli
    .option('--force', 'add: even if another interface has the address; del: even without our mark')
    .option('--owned', 'list: only our addresses; flush: required, to say that only ours go')
    .option('--garp', 'add: announce the address (gratuitous ARPs / unsolicited neighbour advertisements)')
    .option('--garp-count <n>', `Frames per address and burst, 1-${ANNOUNCE_MAX_COUNT} (default ${DEFAULT_ANNOUNCE_COUNT})`)
    .option('--garp-delay <seconds>', `apply: second burst this long after becoming master, 0 for none (default ${DEFAULT_GARP_DELAY_S})`)
    .option('--json', 'One JSON object per line')
    .option('-q, --quiet', 'Nothing on standard output (the exit status says it)')
    .option('--no-color', 'No colour (also when NO_COLOR is set, or output is not a terminal)');
  cli.example('vipctl add 10.0.0.100/24 dev eth0 label eth0:1 --garp');
  cli.example('vipctl check 10.0.0.100 || echo "not here"');
  cli.example('vrrpd --no-vip --events - | vipctl apply');
  // cac would print the help inside parseFlags; it is printed once, here, with the statuses.
  cli.globalCommand.helpCallback = (sections) => [...sections, { title: 'Exit status', body: EXIT_STATUS_HELP }];
  const parsed = parseFlags(cli, argv);
  const flags = parsed.flags;
  if (flags['help']) {
    cli.outputHelp();
    return undefined;
  }

  const [commandText, ...rest] = parsed.args;
  if (commandText === undefined) throw usageError(`give a command: ${COMMAND_NAMES.join(', ')} (see --help)`);
  if (!(COMMAND_NAMES as readonly string[]).includes(commandText)) throw usageError(`unknown command ${JSON.stringify(commandText)}: ${COMMAND_NAMES.join(', ')}`);
  const command = commandText as CommandName;
  const shape = COMMANDS[command];

  for (const name of Object.keys(FLAG_TEXT) as FlagName[]) {
    if (flags[name] !== undefined && !shape.flags.includes(name)) throw usageError(`${FLAG_TEXT[name]} does not go with ${command}`);
  }

  let operand: string | undefined;
  const words = [...rest];
  if (shape.operand === 'address') {
    operand = words.shift();
    if (operand === undefined || (shape.keywords as readonly string[]).includes(operand)) throw usageError(`${command} needs an address: vipctl ${command} ADDR[/PREFIX] ...`);
  }
  const keywords = new Map<Keyword, string>();
  while (words.length > 0) {
    const word = words.shift()!;
    const keyword = (word === 'broadcast' ? 'brd' : word) as Keyword;
    if (!shape.keywords.includes(keyword)) throw usageError(`unexpected argument ${JSON.stringify(word)} for ${command}`);
    const value = words.shift();
    if (value === undefined) throw usageError(`${word} needs a value`);
    if (keywords.has(keyword)) throw usageError(`${word} given more than once`);
    keywords.set(keyword, value);
  }
  const dev = keywords.get('dev');
  if ((command === 'add' || command === 'del') && dev === undefined) throw usageError(`${command} needs dev IF`);
  if (command === 'flush' && !booleanFlag(flags, 'owned')) throw usageError('flush removes only our addresses: say so with --owned');

  let vip: VipAddress | undefined;
  if (operand !== undefined) {
    const result = parseVip(operand);
    if (!result.ok) throw new UserError(result.reason, VipExit.invalidAddress);
    vip = result.vip;
  }

  const garp = booleanFlag(flags, 'garp');
  const garpCountFlag = wholeNumberFlag(flags, 'garpCount', 1, ANNOUNCE_MAX_COUNT);
  if (command === 'add' && garpCountFlag !== undefined && !garp) throw usageError('--garp-count goes with --garp');
  const garpDelayS = wholeNumberFlag(flags, 'garpDelay', 0, 3600) ?? DEFAULT_GARP_DELAY_S;

  return {
    command,
    vip,
    dev,
    label: keywords.get('label'),
    broadcast: keywords.get('brd'),
    scope: keywords.get('scope'),
    garpCount: command === 'apply' || garp ? garpCountFlag ?? DEFAULT_ANNOUNCE_COUNT : undefined,
    garpDelayMs: garpDelayS * 1000,
    force: booleanFlag(flags, 'force'),
    owned: booleanFlag(flags, 'owned'),
    json: booleanFlag(flags, 'json'),
    quiet: booleanFlag(flags, 'quiet'),
    noColor: flags['color'] === false,
  };
}
