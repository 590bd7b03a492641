// Flag parsing on cac, with the checks cac leaves out: unknown flags, repeated
// single-value flags, and values that must stay strings (cac turns "10.0.0.1"
// into a number-like value and "017" into 17).

import { cac, type CAC } from 'cac';
import { usageError } from './errors.js';

export type ParsedFlags = Readonly<Record<string, unknown>>;

export interface FlagParse {
  readonly args: readonly string[];
  readonly flags: ParsedFlags;
  /** How many times a counting flag such as -v was given (-vv counts 2). */
  count(name: string): number;
}

/** Builds the cac instance; the tool declares its options on it. */
export function commandLine(name: string): CAC {
  const cli = cac(name);
  cli.help();
  // cac would print the help inside parse() and the tool again: the tools print it once.
  cli.showHelpOnExit = false;
  return cli;
}

/** The flag as typed: cac keys options in camelCase (--garp-count becomes garpCount). */
const flagName = (key: string): string => (key.length === 1 ? `-${key}` : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

export function parseFlags(cli: CAC, argv: readonly string[], counting: readonly string[] = []): FlagParse {
  const counts = new Map<string, number>();
  // Expand -vv into -v -v so that counting flags count; cac would read "v" once.
  const expanded: string[] = [];
  for (const arg of argv) {
    // "-" is a value (stdin/stdout), but cac's parser would take it for a flag: glue it on.
    const previous = expanded[expanded.length - 1];
    if (arg === '-' && previous !== undefined && /^--[^=]+$/.test(previous)) {
      expanded[expanded.length - 1] = `${previous}=-`;
      continue;
    }
    const m = /^-([a-zA-Z])\1+$/.exec(arg);
    if (m && counting.includes(m[1]!)) {
      for (let i = 0; i < arg.length - 1; i++) expanded.push(`-${m[1]}`);
    } else {
      expanded.push(arg);
    }
  }
  const parsed = cli.parse(['node', cli.name, ...expanded], { run: false });
  const known = new Set<string>(['--', 'help', 'h']);
  for (const option of cli.globalCommand.options) {
    for (const name of option.names) known.add(name);
    if (option.negated) known.add(option.names[0]!.replace(/^no-?/, ''));
  }
  for (const key of Object.keys(parsed.options)) {
    if (!known.has(key)) throw usageError(`unknown option ${flagName(key)} (see --help)`);
  }
  for (const name of counting) {
    const value = parsed.options[name];
    counts.set(name, Array.isArray(value) ? value.length : value ? 1 : 0);
  }
  return {
    args: parsed.args.map(String),
    flags: parsed.options,
    count: (name) => counts.get(name) ?? 0,
  };
}

/** The raw text of a flag's value as typed, since cac may have made it a number. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  if (value === undefined || value === false) return undefined;
  if (Array.isArray(value)) throw usageError(`${flagName(name)} given more than once`);
  if (value === true) throw usageError(`${flagName(name)} needs a value`);
  return String(value);
}

export function integerFlag(flags: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw usageError(`${flagName(name)} ${JSON.stringify(text)}: not a whole number from ${min} to ${max}`);
  }
  return value;
}

export const booleanFlag = (flags: ParsedFlags, name: string): boolean => flags[name] === true || (Array.isArray(flags[name]) && (flags[name] as unknown[]).length > 0);
