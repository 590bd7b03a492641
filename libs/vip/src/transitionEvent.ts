// One line of vrrpd's JSON Lines events (vrrpd --events, see vrrpd(8)), read
// for what vipctl apply needs: the instance, the state it entered, and where
// each VIP goes. Pure: a line in, an event or the reason it is unusable out,
// so that a bad line is reported with its number and skipped.

import { parseVip, type VipAddress } from './vipAddress.js';

export const VRRP_STATES = ['init', 'backup', 'master', 'fault'] as const;
export type VrrpState = (typeof VRRP_STATES)[number];

export interface VipPlacement {
  readonly vip: VipAddress & { readonly prefixLength: number };
  readonly dev: string;
  readonly label?: string;
  readonly broadcast?: string;
  readonly scope?: string;
}

export interface TransitionEvent {
  readonly instance: string;
  readonly to: VrrpState;
  /** Only for messages; may be absent. */
  readonly from?: string;
  readonly reason?: string;
  readonly placements: readonly VipPlacement[];
}

export type EventParse = { readonly ok: true; readonly event: TransitionEvent } | { readonly ok: false; readonly reason: string };

type Json = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

class Malformed extends Error {}

function optionalString(object: Json, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Malformed(`${where}${key} is ${JSON.stringify(value)}, not a string`);
  return value;
}

function requiredString(object: Json, key: string, where = ''): string {
  const value = optionalString(object, key, where);
  if (value === undefined || value === '') throw new Malformed(`${where}${key} is missing`);
  return value;
}

function placementVip(text: string, where: string): VipPlacement['vip'] {
  const parsed = parseVip(text);
  if (!parsed.ok) throw new Malformed(`${where}: ${parsed.reason}`);
  // vrrpd always writes the prefix length; a VIP written without one is a host route, as in keepalived.conf.
  return { ...parsed.vip, prefixLength: parsed.vip.prefixLength ?? (parsed.vip.family === 4 ? 32 : 128) };
}

/**
 * `vipDetails` when present (it has each VIP's device, label, broadcast and
 * scope), else `vips` on `interface`, for events written by hand.
 */
function placements(object: Json): VipPlacement[] {
  const details = object['vipDetails'];
  if (details !== undefined) {
    if (!Array.isArray(details)) throw new Malformed('vipDetails is not an array');
    return details.map((detail: unknown, index) => {
      const where = `vipDetails[${index}].`;
      if (!isObject(detail)) throw new Malformed(`vipDetails[${index}] is not an object`);
      const label = optionalString(detail, 'label', where);
      const broadcast = optionalString(detail, 'broadcast', where);
      const scope = optionalString(detail, 'scope', where);
      return {
        vip: placementVip(requiredString(detail, 'address', where), `${where}address`),
        dev: requiredString(detail, 'dev', where),
        ...(label !== undefined && { label }),
        ...(broadcast !== undefined && { broadcast }),
        ...(scope !== undefined && { scope }),
      };
    });
  }
  const vips = object['vips'];
  if (vips === undefined) throw new Malformed('vipDetails and vips are both missing');
  if (!Array.isArray(vips)) throw new Malformed('vips is not an array');
  const dev = requiredString(object, 'interface');
  return vips.map((vip: unknown, index) => {
    if (typeof vip !== 'string') throw new Malformed(`vips[${index}] is not a string`);
    return { vip: placementVip(vip, `vips[${index}]`), dev };
  });
}

export function parseTransitionEvent(line: string): EventParse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  try {
    const instance = requiredString(value, 'instance');
    const to = requiredString(value, 'to');
    if (!(VRRP_STATES as readonly string[]).includes(to)) throw new Malformed(`to is ${JSON.stringify(to)}: expected ${VRRP_STATES.join(', ')}`);
    const from = optionalString(value, 'from', '');
    const reason = optionalString(value, 'reason', '');
    return {
      ok: true,
      event: { instance, to: to as VrrpState, ...(from !== undefined && { from }), ...(reason !== undefined && { reason }), placements: placements(value) },
    };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    throw error;
  }
}
