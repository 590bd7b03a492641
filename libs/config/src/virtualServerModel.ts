// The typed `virtual_server` and `virtual_server_group` blocks: what the
// operator asked for, with keepalived 2.2.7's defaults applied and its
// inheritance resolved (virtual server -> real server -> checker, as
// check_data.c validate_check_config() does), so a consumer never looks
// further up. Times are in seconds (fractions allowed) unless a field says
// otherwise. No runtime state lives here.

import type { AddressFamily } from '@keepalived-ts/vrrp';
import type { SourceLocation } from './diagnostics.js';
import type { ScriptCommand, ScriptUser } from './model.js';

export type LvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/** lb_kind / lvs_method: masquerading, direct routing, tunnelling. */
export type LvsMethod = 'NAT' | 'DR' | 'TUN';

/** What the words after `virtual_server` name. */
export type VirtualService =
  | { readonly kind: 'address'; readonly address: string; readonly family: AddressFamily; /** 0 when left out (persistent services only). */ readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly group: string };

/** One line of a `virtual_server_group`. */
export type VirtualServerGroupEntry =
  | {
      readonly kind: 'address';
      readonly family: AddressFamily;
      /** Every address the line covers: one, or each of a range (`10.0.0.2-5`, `10.0.1.0/30`). */
      readonly addresses: readonly string[];
      /** 0 when left out. */
      readonly port: number;
      readonly location: SourceLocation;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family: AddressFamily | undefined; readonly location: SourceLocation };

export interface VirtualServerGroup {
  readonly name: string;
  readonly entries: readonly VirtualServerGroupEntry[];
  readonly location: SourceLocation;
}

/** The options every checker has (check_api.c install_checker_common_keywords), resolved. */
export interface CheckerTiming {
  /** connect_timeout: bounds one attempt. */
  readonly connectTimeout: number;
  /** Further attempts before a checker that was up is declared down. */
  readonly retry: number;
  readonly delayBeforeRetry: number;
  /** Between runs. */
  readonly delayLoop: number;
  /** The first run comes at a random time within this; 0 runs at once. */
  readonly warmup: number;
  /** Start down: the real server is not in the pool until the checker succeeds. */
  readonly alpha: boolean;
  readonly logAllFailures: boolean;
}

/** Where a network checker connects (connect_ip, connect_port, bindto), resolved against its real server. */
export interface CheckerConnection {
  readonly connectIp: string;
  /** 0 when neither the checker nor its real server names one (then the checker's own default, if any, applies). */
  readonly connectPort: number;
  readonly bindTo: string | undefined;
}

interface CheckerBase extends CheckerTiming {
  readonly location: SourceLocation;
}

export interface TcpChecker extends CheckerBase, CheckerConnection {
  readonly type: 'TCP_CHECK';
}

export interface HttpCheckerUrl {
  readonly path: string;
  /** MD5 of the body, lowercase hex. */
  readonly digest: string | undefined;
  /** Accepted status codes as inclusive ranges; undefined when none was given (keepalived then takes 200-299). */
  readonly statusCodes: readonly (readonly [number, number])[] | undefined;
  /** The url's own virtualhost, before the checker's. */
  readonly virtualhost: string | undefined;
  readonly location: SourceLocation;
}

export interface HttpChecker extends CheckerBase, CheckerConnection {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly urls: readonly HttpCheckerUrl[];
  /** The Host header: the checker's, else its real server's, else its virtual server's. */
  readonly virtualhost: string | undefined;
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  readonly enableSni: boolean;
}

export interface SmtpChecker extends CheckerBase, CheckerConnection {
  readonly type: 'SMTP_CHECK';
  readonly heloName: string;
}

export interface DnsChecker extends CheckerBase, CheckerConnection {
  readonly type: 'DNS_CHECK';
  /** A record type keepalived knows (A, NS, CNAME, SOA, MX, TXT, AAAA, ...), uppercase. */
  readonly queryType: string;
  readonly name: string;
}

export interface UdpChecker extends CheckerBase, CheckerConnection {
  readonly type: 'UDP_CHECK';
  /** keepalived's hex string as written; undefined sends keepalived's default payload. */
  readonly payload: string | undefined;
  readonly requireReply: boolean;
  /** The hex string after require_reply (x wildcards allowed), as written. */
  readonly reply: string | undefined;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface PingChecker extends CheckerBase, CheckerConnection {
  readonly type: 'PING_CHECK';
}

export interface MiscChecker extends CheckerBase {
  readonly type: 'MISC_CHECK';
  readonly script: ScriptCommand;
  /** misc_timeout; defaults to the virtual server's delay_loop. */
  readonly timeout: number;
  /** misc_dynamic: exit statuses 2-255 are up and set the weight to status - 2. */
  readonly dynamic: boolean;
  /** The checker's own `user`; undefined uses script_user. */
  readonly user: ScriptUser | undefined;
}

export type RealServerChecker = TcpChecker | HttpChecker | SmtpChecker | DnsChecker | UdpChecker | PingChecker | MiscChecker;

export interface RealServer {
  readonly address: string;
  readonly family: AddressFamily;
  /** 0 when left out (and always for a fwmark service that does not use NAT). */
  readonly port: number;
  readonly weight: number;
  readonly method: LvsMethod;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp: ScriptCommand | undefined;
  readonly notifyDown: ScriptCommand | undefined;
  /** uthreshold / lthreshold: connection limits IPVS applies. */
  readonly upperThreshold: number | undefined;
  readonly lowerThreshold: number | undefined;
  readonly checkers: readonly RealServerChecker[];
  readonly location: SourceLocation;
}

export interface SorryServer {
  readonly address: string;
  readonly family: AddressFamily;
  readonly port: number;
  readonly method: LvsMethod;
  /** sorry_server_inhibit: kept in IPVS with weight 0 while not needed. */
  readonly inhibit: boolean;
  readonly location: SourceLocation;
}

export interface VirtualServer {
  readonly service: VirtualService;
  /** How keepalived names it in its log lines: `[10.0.0.1]:tcp:80`, `FWM 1`, `[GROUP]:0`. */
  readonly name: string;
  readonly family: AddressFamily;
  /** Undefined for a fwmark service, where IPVS has no protocol. */
  readonly protocol: LvsProtocol | undefined;
  readonly scheduler: string;
  /** flag-1, flag-2, flag-3, sh-port, sh-fallback, mh-port, mh-fallback. */
  readonly schedulerFlags: readonly string[];
  /** ops: one-packet scheduling (UDP only). */
  readonly onePacket: boolean;
  /** Seconds; undefined when the service is not persistent. */
  readonly persistenceTimeout: number | undefined;
  readonly persistenceGranularity: string | undefined;
  readonly delayLoop: number;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp: ScriptCommand | undefined;
  readonly quorumDown: ScriptCommand | undefined;
  readonly sorryServer: SorryServer | undefined;
  readonly realServers: readonly RealServer[];
  readonly location: SourceLocation;
}

export interface LvsConfig {
  readonly virtualServers: readonly VirtualServer[];
  readonly virtualServerGroups: readonly VirtualServerGroup[];
}
