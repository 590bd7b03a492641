// genhash's command line exactly as keepalived 2.2.7 reads it (check_genhash.c
// with glibc's getopt_long): the same options, abbreviations of long names,
// clustered short options, arguments in any order, the same error lines, and
// what makes it print the usage and exit 1. Extensions are long options only
// (--json, --config, --ca, --no-color), so no genhash command line changes
// meaning. Pure: argv in, options or error lines out.

import { isIP } from 'node:net';
import type { HttpVersion } from '@keepalived-ts/checks';

export interface GenhashOptions {
  readonly server: string;
  readonly port: number;
  /** The last -u given: keepalived's genhash fetches only that one. */
  readonly url: string;
  readonly ssl: boolean;
  readonly sni: boolean;
  readonly virtualhost: string | undefined;
  readonly verbose: boolean;
  readonly protocol: HttpVersion;
  /** -t in µs after keepalived's 32-bit arithmetic; undefined is its UINT_MAX µs, about 71 minutes. */
  readonly timeoutUs: number | undefined;
  readonly fwmark: number | undefined;
  readonly json: boolean;
  readonly ca: string | undefined;
  readonly noColor: boolean;
}

export interface ConfigModeOptions {
  readonly config: string;
  readonly json: boolean;
  readonly ca: string | undefined;
  readonly noColor: boolean;
}

export type ParsedCommandLine =
  | { readonly kind: 'fetch'; readonly options: GenhashOptions }
  | { readonly kind: 'config'; readonly options: ConfigModeOptions }
  /** genhash prints `messages` (each a whole line), then the usage, to stderr and exits 1. */
  | { readonly kind: 'usage'; readonly messages: readonly string[] };

interface OptionSpec {
  readonly key: string;
  readonly long: string | undefined;
  readonly takesValue: boolean;
}

// keepalived's long_options table order matters for nothing but abbreviation
// ambiguity, which glibc decides over the whole table.
const OPTIONS: readonly OptionSpec[] = [
  { key: 'h', long: 'help', takesValue: false },
  { key: 'v', long: 'verbose', takesValue: false },
  { key: 'S', long: 'use-ssl', takesValue: false },
  { key: 'I', long: 'use-sni', takesValue: false },
  { key: 's', long: 'server', takesValue: true },
  { key: 'V', long: 'use-virtualhost', takesValue: true },
  { key: 'p', long: 'port', takesValue: true },
  { key: 'u', long: 'url', takesValue: true },
  { key: 'm', long: 'fwmark', takesValue: true },
  { key: 'P', long: 'protocol', takesValue: true },
  { key: 't', long: 'timeout', takesValue: true },
  { key: 'json', long: 'json', takesValue: false },
  { key: 'config', long: 'config', takesValue: true },
  { key: 'ca', long: 'ca', takesValue: true },
  { key: 'no-color', long: 'no-color', takesValue: false },
];
const SHORT = new Map(OPTIONS.filter((o) => o.key.length === 1).map((o) => [o.key, o]));

type Token =
  | { readonly kind: 'option'; readonly spec: OptionSpec; readonly value: string | undefined }
  | { readonly kind: 'error'; readonly message: string };

/** glibc getopt_long over argv, permuting: options first, then the other words. */
function scan(argv: readonly string[]): { tokens: Token[]; operands: string[] } {
  const tokens: Token[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = findLong(name);
      if (!spec) {
        tokens.push({ kind: 'error', message: `Unknown option ${arg}` });
      } else if (!spec.takesValue) {
        tokens.push(eq < 0 ? { kind: 'option', spec, value: undefined } : { kind: 'error', message: `Unknown option ${arg}` });
      } else if (eq >= 0) {
        tokens.push({ kind: 'option', spec, value: arg.slice(eq + 1) });
      } else if (i + 1 < argv.length) {
        tokens.push({ kind: 'option', spec, value: argv[++i]! });
      } else {
        // keepalived 2.2.7 indexes its option table with -1 here and crashes; this says what it meant to.
        tokens.push({ kind: 'error', message: `Missing parameter for option --${spec.long}` });
      }
      continue;
    }
    if (arg.length < 2 || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      const spec = SHORT.get(letter);
      if (!spec) {
        tokens.push({ kind: 'error', message: `Unknown option -${letter}` });
        continue;
      }
      if (!spec.takesValue) {
        tokens.push({ kind: 'option', spec, value: undefined });
        continue;
      }
      if (j + 1 < arg.length) tokens.push({ kind: 'option', spec, value: arg.slice(j + 1) });
      else if (i + 1 < argv.length) tokens.push({ kind: 'option', spec, value: argv[++i]! });
      else tokens.push({ kind: 'error', message: `Missing parameter for option -${letter}` });
      break;
    }
  }
  return { tokens, operands };
}

/** An exact name, or the one option a prefix abbreviates; undefined when unknown or ambiguous. */
function findLong(name: string): OptionSpec | undefined {
  const exact = OPTIONS.find((o) => o.long === name);
  if (exact) return exact;
  const matches = OPTIONS.filter((o) => o.long !== undefined && name !== '' && o.long.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}

interface Draft {
  server?: string;
  port?: number;
  url?: string;
  ssl: boolean;
  sni: boolean;
  virtualhost?: string;
  verbose: boolean;
  protocol: HttpVersion;
  timeoutUs?: number;
  fwmark?: number;
  json: boolean;
  config?: string;
  ca?: string;
  noColor: boolean;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  // keepalived: "if (argc <= 2) return -1", before reading anything. The
  // extension's `--config=FILE` is one word, so it is let through.
  if (argv.length <= 1 && !(argv[0]?.startsWith('--config=') ?? false)) return { kind: 'usage', messages: [] };
  const { tokens, operands } = scan(argv);
  const messages: string[] = [];
  const draft: Draft = { ssl: false, sni: false, verbose: false, protocol: '1.0', json: false, noColor: false };
  let bad = false;
  for (const token of tokens) {
    if (token.kind === 'error') {
      messages.push(token.message);
      bad = true;
      continue;
    }
    const failure = apply(draft, token.spec.key, token.value ?? '');
    // A value genhash refuses stops the parse at once, unlike an unknown option.
    if (failure === 'help') bad = true;
    else if (failure !== undefined) return { kind: 'usage', messages: [...messages, failure] };
  }
  if (bad) return { kind: 'usage', messages };
  if (operands.length > 0) return { kind: 'usage', messages: [`Unexpected argument(s): ${operands.join(' ')}`] };
  if (draft.config !== undefined) {
    const stray = [draft.server !== undefined && '-s', draft.port !== undefined && '-p', draft.url !== undefined && '-u', draft.virtualhost !== undefined && '-V', draft.ssl && '-S', draft.sni && '-I', draft.verbose && '-v', draft.fwmark !== undefined && '-m', draft.timeoutUs !== undefined && '-t'].filter(Boolean);
    if (stray.length > 0) return { kind: 'usage', messages: [`--config takes everything from the file; drop ${stray.join(' ')}`] };
    return { kind: 'config', options: { config: draft.config, json: draft.json, ca: draft.ca, noColor: draft.noColor } };
  }
  if (draft.server === undefined || draft.port === undefined || draft.url === undefined) return { kind: 'usage', messages };
  if (draft.json && draft.verbose) return { kind: 'usage', messages: ['--json and -v do not mix (the JSON carries the response time)'] };
  return {
    kind: 'fetch',
    options: {
      server: draft.server,
      port: draft.port,
      url: draft.url,
      ssl: draft.ssl,
      sni: draft.sni,
      virtualhost: draft.virtualhost,
      verbose: draft.verbose,
      protocol: draft.protocol,
      timeoutUs: draft.timeoutUs,
      fwmark: draft.fwmark,
      json: draft.json,
      ca: draft.ca,
      noColor: draft.noColor,
    },
  };
}

/** Applies one option; returns genhash's error line, 'help', or undefined. */
function apply(draft: Draft, key: string, value: string): string | undefined {
  switch (key) {
    case 'h':
      return 'help';
    case 'v':
      draft.verbose = true;
      return undefined;
    case 'S':
      draft.ssl = true;
      return undefined;
    case 'I':
      draft.sni = true;
      return undefined;
    case 's':
      // inet_pton: a plain IPv4 or IPv6 address, no scope, no brackets.
      if (isIP(value) === 0 || value.includes('%')) return `server should be an IP, not ${value}`;
      draft.server = value;
      return undefined;
    case 'V':
      draft.virtualhost = value;
      return undefined;
    case 'p': {
      const port = strtol(value);
      if (port === undefined || port <= 0 || port > 65535) return `invalid port number '${value}'`;
      draft.port = port;
      return undefined;
    }
    case 'u':
      draft.url = value;
      return undefined;
    case 'm': {
      const start = value.replace(/^[ \t]*/, '');
      const mark = strtoulWhole(start);
      if (mark === undefined || start.startsWith('-') || start.startsWith(' ')) return `invalid fwmark '${value}'`;
      draft.fwmark = Number(mark & 0xffffffffn);
      return undefined;
    }
    case 'P':
      if (value === '1.0') draft.protocol = '1.0';
      else if (value === '1.0c' || value === '1.0C') draft.protocol = '1.0c';
      else if (value === '1.1') draft.protocol = '1.1';
      else return `invalid HTTP protocol version '${value}'`;
      return undefined;
    case 't': {
      const start = value.replace(/^[ \t]*/, '');
      const seconds = strtoulWhole(start);
      if (seconds === undefined || start.startsWith('-') || start === '') return `invalid timeout '${value}'`;
      // keepalived keeps the timeout in an unsigned int of µs: (unsigned)seconds * 1000000, wrapping at 2^32.
      draft.timeoutUs = Number(((seconds & 0xffffffffn) * 1_000_000n) & 0xffffffffn);
      return undefined;
    }
    case 'json':
      draft.json = true;
      return undefined;
    case 'config':
      draft.config = value;
      return undefined;
    case 'ca':
      draft.ca = value;
      return undefined;
    case 'no-color':
      draft.noColor = true;
      return undefined;
    default:
      return `Unknown option ${key}`;
  }
}

const C_SPACE = /^[ \t\n\v\f\r]*/;

/** strtol(text, &end, 10) with *end required to be the end: undefined when it is not. */
function strtol(text: string): number | undefined {
  const match = /^([+-]?)(\d+)$/.exec(text.replace(C_SPACE, ''));
  if (!match) return text === '' ? 0 : undefined;
  const magnitude = Number(match[2]);
  return match[1] === '-' ? -magnitude : magnitude;
}

/** strtoul(text, &end, 10) with *end required to be the end, as unsigned long (64 bits). */
function strtoulWhole(text: string): bigint | undefined {
  if (text === '') return 0n;
  const match = /^([+-]?)(\d+)$/.exec(text.replace(C_SPACE, ''));
  if (!match) return undefined;
  const max = (1n << 64n) - 1n;
  let value = BigInt(match[2]!);
  if (value > max) value = max;
  else if (match[1] === '-' && value !== 0n) value = max + 1n - value;
  return value;
}
