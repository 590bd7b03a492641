// The checker blocks of a real_server (TCP_CHECK, HTTP_GET, SSL_GET,
// SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, MISC_CHECK): the keyword
// handlers of keepalived 2.2.7's check_*.c, with its words for what it
// refuses. What is not set stays undefined here; virtualServer.ts fills it
// from the real server and virtual server, as validate_check_config() does.

import { familyOf } from '@keepalived-ts/vrrp';
import type { BuildContext } from './environment.js';
import { readScriptUser } from './globalDefs.js';
import { dispatchBlock, requireArg, type Handler } from './keywords.js';
import type { ScriptCommand, ScriptUser } from './model.js';
import type { ConfigNode } from './parser.js';
import { readScriptCommand } from './scriptCommand.js';
import { readBoolean, readUnsigned, UINT_MAX } from './values.js';
import { readTimer, TIMER_MAX } from './virtualServerValues.js';
import type { HttpCheckerUrl } from './virtualServerModel.js';

export const CHECKER_TYPES = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'MISC_CHECK'] as const;
export type CheckerType = (typeof CHECKER_TYPES)[number];

/** Checkers keepalived has and hcheck does not run: read past with a note. */
export const UNSUPPORTED_CHECKERS: ReadonlySet<string> = new Set(['BFD_CHECK', 'FILE_CHECK']);

/** keepalived's DNS_CHECK types (check_dns.c DNS_TYPE[]). */
const DNS_TYPES = new Set(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY']);
const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';

/** A checker as written; undefined fields are inherited or defaulted later. */
export interface CheckerDraft {
  type: CheckerType;
  location: ConfigNode['location'];
  connectIp: string | undefined;
  connectPort: number | undefined;
  bindTo: string | undefined;
  connectTimeout: number | undefined;
  retry: number | undefined;
  delayBeforeRetry: number | undefined;
  delayLoop: number | undefined;
  warmup: number | undefined;
  alpha: boolean | undefined;
  logAllFailures: boolean;
  // HTTP_GET / SSL_GET
  urls: HttpCheckerUrl[];
  virtualhost: string | undefined;
  httpProtocol: '1.0' | '1.0C' | '1.1';
  enableSni: boolean;
  // SMTP_CHECK
  heloName: string;
  // DNS_CHECK
  queryType: string;
  name: string | undefined;
  // UDP_CHECK
  payload: string | undefined;
  requireReply: boolean;
  reply: string | undefined;
  minReplyLength: number;
  maxReplyLength: number;
  // MISC_CHECK
  script: ScriptCommand | undefined;
  miscTimeout: number | undefined;
  dynamic: boolean;
  user: ScriptUser | undefined;
}

/** Reads one checker block; undefined when keepalived drops it (the reason is reported). */
export function readChecker(node: ConfigNode, context: BuildContext): CheckerDraft | undefined {
  const type = node.keyword as CheckerType;
  const draft: CheckerDraft = {
    type,
    location: node.location,
    connectIp: undefined,
    connectPort: undefined,
    bindTo: undefined,
    connectTimeout: undefined,
    retry: undefined,
    delayBeforeRetry: undefined,
    delayLoop: undefined,
    warmup: undefined,
    alpha: undefined,
    logAllFailures: false,
    urls: [],
    virtualhost: undefined,
    httpProtocol: '1.0',
    enableSni: false,
    heloName: SMTP_DEFAULT_HELO,
    queryType: 'SOA',
    name: undefined,
    payload: undefined,
    requireReply: false,
    reply: undefined,
    minReplyLength: 0,
    maxReplyLength: 255,
    script: undefined,
    miscTimeout: undefined,
    dynamic: false,
    user: undefined,
  };
  if (node.children === undefined) {
    context.diagnostics.warn(node.location, `missing '{' at beginning of configuration block ${node.keyword} - ignoring it`);
    return undefined;
  }
  const handlers: Record<string, Handler<CheckerDraft>> = { ...commonHandlers(type !== 'MISC_CHECK', context), ...SPECIFIC[type](context) };
  dispatchBlock(node.children, handlers, new Set(), draft, context.diagnostics);

  const { diagnostics } = context;
  switch (type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      if (draft.urls.length === 0) {
        diagnostics.warn(node.location, 'HTTP/SSL_GET checker has no urls specified - ignoring');
        return undefined;
      }
      break;
    case 'MISC_CHECK':
      if (!draft.script) {
        diagnostics.warn(node.location, 'No script path has been specified for MISC_CHECKER - skipping');
        return undefined;
      }
      break;
    case 'UDP_CHECK':
      if (draft.minReplyLength > draft.maxReplyLength) {
        diagnostics.warn(node.location, `UDP_CHECK min_reply length ${draft.minReplyLength} > max_reply_length ${draft.maxReplyLength} - will always fail`);
      }
      break;
    default:
      break;
  }
  return draft;
}

/** Keywords keepalived accepts in a checker that hcheck does not apply: a note, not an error (keepalived -t is content). */
const NOTED: Readonly<Record<string, string>> = {
  bind_port: 'hcheck cannot choose the source port',
  bind_if: 'hcheck does not bind checks to an interface',
  fwmark: 'Node.js cannot set SO_MARK on a socket',
  fast_recovery: 'urls are always checked one after another at once',
  regex: 'regular expressions on the body are not supported',
  regex_no_match: 'regular expressions on the body are not supported',
  regex_options: 'regular expressions on the body are not supported',
  regex_stack: 'regular expressions on the body are not supported',
  regex_min_offset: 'regular expressions on the body are not supported',
  regex_max_offset: 'regular expressions on the body are not supported',
  host: 'the deprecated SMTP_CHECK host block is not supported: define one SMTP_CHECK per host',
};

const noted = (context: BuildContext): Handler<unknown> => (node) => {
  context.diagnostics.note(node.location, `${node.keyword} is not supported by hcheck (${NOTED[node.keyword] ?? 'ignored'}) - ignoring`);
};

function commonHandlers(connection: boolean, context: BuildContext): Record<string, Handler<CheckerDraft>> {
  const { diagnostics } = context;
  const timer = (apply: (draft: CheckerDraft, seconds: number) => void, min: number, max: string = TIMER_MAX): Handler<CheckerDraft> => (node, draft) => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    const read = readTimer(text, min, max);
    if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${node.keyword} ${text} invalid - ignoring`);
    apply(draft, read.value);
  };
  const handlers: Record<string, Handler<CheckerDraft>> = {
    retry: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, UINT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: Invalid retry connection value '${text}'`);
      draft.retry = read.value;
    },
    delay_before_retry: timer((draft, v) => (draft.delayBeforeRetry = v), 0),
    delay_loop: timer((draft, v) => (draft.delayLoop = v), 1e-6),
    warmup: timer((draft, v) => (draft.warmup = v), 0),
    alpha: (node, draft) => {
      const value = boolean(node, context, 'alpha');
      if (value !== undefined) draft.alpha = value;
    },
    log_all_failures: (node, draft) => {
      const value = boolean(node, context, 'log_all_failures');
      if (value !== undefined) draft.logAllFailures = value;
    },
  };
  if (!connection) return handlers;
  return {
    ...handlers,
    connect_ip: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      if (familyOf(text) === undefined) return diagnostics.warn(node.location, `Invalid connect_ip address ${text} - ignoring`);
      draft.connectIp = text;
    },
    connect_port: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 1, 65535);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: Invalid checker connect_port '${text}'`);
      draft.connectPort = read.value;
    },
    bindto: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      if (familyOf(text) === undefined) return diagnostics.warn(node.location, `Invalid bindto address ${text} - ignoring`);
      draft.bindTo = text;
    },
    connect_timeout: timer((draft, v) => (draft.connectTimeout = v), 1e-6, '4294.967295'),
    bind_port: noted(context),
    bind_if: noted(context),
    fwmark: noted(context),
  };
}

function boolean(node: ConfigNode, context: BuildContext, what: string): boolean | undefined {
  const text = node.args[0];
  if (text === undefined) return true;
  const value = readBoolean(text);
  if (value === undefined) context.diagnostics.warn(node.location, `Invalid ${what} parameter ${text}`);
  return value;
}

const SPECIFIC: Readonly<Record<CheckerType, (context: BuildContext) => Record<string, Handler<CheckerDraft>>>> = {
  TCP_CHECK: () => ({}),
  PING_CHECK: () => ({}),
  HTTP_GET: httpHandlers,
  SSL_GET: (context) => ({
    ...httpHandlers(context),
    enable_sni: (node, draft) => {
      const value = boolean(node, context, 'enable_sni');
      if (value !== undefined) draft.enableSni = value;
    },
  }),
  SMTP_CHECK: (context) => ({
    helo_name: (node, draft) => {
      const text = node.args[0];
      if (text === undefined) return context.diagnostics.warn(node.location, 'SMTP_CHECK helo name missing');
      draft.heloName = text;
    },
    host: noted(context),
  }),
  DNS_CHECK: (context) => ({
    type: (node, draft) => {
      const text = requireArg(node, 1, context.diagnostics);
      if (text === undefined) return;
      if (!DNS_TYPES.has(text.toUpperCase())) return context.diagnostics.warn(node.location, `Unknown DNS check type ${text} - ignoring`);
      draft.queryType = text.toUpperCase();
    },
    name: (node, draft) => {
      const text = requireArg(node, 1, context.diagnostics);
      if (text === undefined) return;
      if (draft.name !== undefined) return context.diagnostics.warn(node.location, 'DNS_CHECK name already specified - ignoring');
      if ((text.startsWith('.') && text !== '.') || text.includes('..')) return context.diagnostics.warn(node.location, `DNS_CHECK name '${text}' has empty label - ignoring`);
      draft.name = text;
    },
  }),
  UDP_CHECK: (context) => ({
    payload: (node, draft) => {
      const text = node.args.join(' ');
      if (!isHexString(text, false)) return context.diagnostics.warn(node.location, 'Invalid hex string for UDP_CHECK payload');
      draft.payload = text;
    },
    require_reply: (node, draft) => {
      draft.requireReply = true;
      if (node.args.length === 0) return;
      const text = node.args.join(' ');
      if (!isHexString(text, true)) return context.diagnostics.warn(node.location, 'Invalid hex string for UDP_CHECK reply');
      draft.reply = text;
    },
    min_reply_length: (node, draft) => {
      const text = requireArg(node, 1, context.diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, 65515);
      if (!read.ok) return context.diagnostics.warn(node.location, `${read.reason}: Invalid UDP_CHECK min_reply_length ${text}`);
      draft.minReplyLength = read.value;
    },
    max_reply_length: (node, draft) => {
      const text = requireArg(node, 1, context.diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, 65515);
      if (!read.ok) return context.diagnostics.warn(node.location, `${read.reason}: Invalid UDP_CHECK max_reply_length ${text}`);
      draft.maxReplyLength = read.value;
    },
  }),
  MISC_CHECK: (context) => ({
    misc_path: (node, draft) => {
      if (draft.script) return context.diagnostics.warn(node.location, 'MISC_CHECK misc_path already specified - ignoring');
      draft.script = readScriptCommand(node, context, { withUser: false });
    },
    misc_timeout: (node, draft) => {
      const text = requireArg(node, 1, context.diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, UINT_MAX);
      if (!read.ok) return context.diagnostics.warn(node.location, `${read.reason}: Invalid misc_timeout ${text} - ignoring`);
      // keepalived takes 0 as "not set": the delay_loop then bounds the script.
      draft.miscTimeout = read.value === 0 ? undefined : read.value;
    },
    misc_dynamic: (_node, draft) => {
      draft.dynamic = true;
    },
    user: (node, draft) => {
      const user = readScriptUser(node, 1, context);
      if (user === 'invalid') return context.diagnostics.warn(node.location, `Unable to set uid/gid for MISC_CHECK script ${node.args.join(' ')} - ignoring`);
      if (user) draft.user = user;
    },
  }),
};

function httpHandlers(context: BuildContext): Record<string, Handler<CheckerDraft>> {
  const { diagnostics } = context;
  return {
    nb_get_retry: (node, draft) => {
      diagnostics.warn(node.location, "nb_get_retry is deprecated - please use 'retry'");
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, UINT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: Invalid nb_get_retry value '${text}'`);
      draft.retry = read.value;
    },
    virtualhost: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text !== undefined) draft.virtualhost = text;
    },
    http_protocol: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      if (text === '1.0' || text === '1.1') draft.httpProtocol = text;
      else if (text === '1.0C' || text === '1.0c') draft.httpProtocol = '1.0C';
      else diagnostics.warn(node.location, `Invalid http_protocol version ${text}`);
    },
    fast_recovery: noted(context),
    url: (node, draft) => {
      if (node.children === undefined) return diagnostics.warn(node.location, "missing '{' at beginning of configuration block url - ignoring it");
      const url = { path: undefined as string | undefined, digest: undefined as string | undefined, statusCodes: undefined as [number, number][] | undefined, virtualhost: undefined as string | undefined };
      const urlHandlers: Record<string, Handler<typeof url>> = {
        path: (child, u) => {
          const text = requireArg(child, 1, diagnostics);
          if (text !== undefined) u.path = text;
        },
        digest: (child, u) => {
          const text = requireArg(child, 1, diagnostics);
          if (text === undefined) return;
          if (text.length !== 32) return diagnostics.warn(child.location, `digest '${text}' character length should be 32 rather than ${text.length}`);
          const bad = /[^0-9a-fA-F]/.exec(text);
          if (bad) {
            const pair = bad.index - (bad.index % 2);
            return diagnostics.warn(child.location, `Unable to interpret hex digit in '${text}' at offset ${pair}/${pair + 1}`);
          }
          u.digest = text.toLowerCase();
        },
        status_code: (child, u) => {
          for (const word of child.args) {
            const match = /^(\d+)(?:-(\d+))?$/.exec(word);
            const min = match ? Number(match[1]) : NaN;
            const max = match?.[2] !== undefined ? Number(match[2]) : min;
            if (!match || min < 100 || max > 599 || min > max) {
              diagnostics.warn(child.location, `Invalid HTTP_GET status code '${word}'`);
              continue;
            }
            (u.statusCodes ??= []).push([min, max]);
          }
        },
        virtualhost: (child, u) => {
          const text = requireArg(child, 1, diagnostics);
          if (text !== undefined) u.virtualhost = text;
        },
        regex: noted(context),
        regex_no_match: noted(context),
        regex_options: noted(context),
        regex_stack: noted(context),
        regex_min_offset: noted(context),
        regex_max_offset: noted(context),
      };
      dispatchBlock(node.children, urlHandlers, new Set(), url, diagnostics);
      if (url.path === undefined) return diagnostics.warn(node.location, 'HTTP/SSL_GET checker url has no path - ignoring');
      draft.urls.push({ path: url.path, digest: url.digest, statusCodes: url.statusCodes, virtualhost: url.virtualhost, location: node.location });
    },
  };
}

/**
 * keepalived's read_hex_str accepts hex digits in pairs or alone, separated
 * by spaces or tabs (`Ab12f 3 456` is AB 12 0F 03 45 06); require_reply
 * also takes x for a nibble that may be anything.
 */
export function isHexString(text: string, wildcards: boolean): boolean {
  return (wildcards ? /^[ \t]*[0-9a-fA-FxX][ \t0-9a-fA-FxX]*$/ : /^[ \t]*[0-9a-fA-F][ \t0-9a-fA-F]*$/).test(text);
}
