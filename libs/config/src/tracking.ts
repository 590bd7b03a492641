// `track_interface { IF [weight N [reverse]] }` and
// `track_script { NAME [weight N [reverse]] }` entries, shared by vrrp
// instances and sync groups (keepalived 2.2.7 vrrp/vrrp_track.c).

import type { BuildContext } from './environment.js';
import { valueBlock } from './keywords.js';
import type { TrackedInterface, TrackedScript } from './model.js';
import type { ConfigNode } from './parser.js';
import { readInt } from './values.js';

interface WeightOption {
  readonly weight: number | undefined;
  readonly reverse: boolean;
  readonly ok: boolean;
}

function readWeight(entry: ConfigNode, owner: string, context: BuildContext): WeightOption {
  const { diagnostics } = context;
  if (entry.args.length === 0) return { weight: undefined, reverse: false, ok: true };
  if (entry.args[0] !== 'weight' || entry.args[1] === undefined) {
    diagnostics.warn(entry.location, `(${owner}) unknown option '${entry.args.join(' ')}' for tracked ${entry.keyword} - ignoring it`);
    return { weight: undefined, reverse: false, ok: true };
  }
  const read = readInt(entry.args[1], -254, 254);
  if (!read.ok || Math.abs(read.value) > 253) {
    diagnostics.warn(entry.location, `${read.ok ? '' : `${read.reason}: `}(${owner}) weight ${entry.args[1]} for ${entry.keyword} must be between [-253..253] inclusive. Ignoring...`);
    return { weight: undefined, reverse: false, ok: false };
  }
  const option = entry.args[2];
  if (option !== undefined && option !== 'reverse') diagnostics.warn(entry.location, `(${owner}) unknown weight option ${option} for ${entry.keyword}`);
  return { weight: read.value, reverse: option === 'reverse', ok: true };
}

export function readTrackedInterfaces(node: ConfigNode, owner: string, context: BuildContext): TrackedInterface[] {
  const tracked: TrackedInterface[] = [];
  for (const entry of valueBlock(node, context.diagnostics)) {
    const weight = readWeight(entry, owner, context);
    if (!weight.ok) continue;
    if (context.environment.interfaceStatus?.(entry.keyword) === 'missing') {
      context.diagnostics.warn(entry.location, `(${owner}) tracked interface ${entry.keyword} doesn't exist`);
      context.diagnostics.add({ severity: 'error', kind: 'fatal', location: entry.location, message: `non-existent interface ${entry.keyword} specified in configuration` });
      continue;
    }
    tracked.push({ name: entry.keyword, weight: weight.weight ?? 0, reverse: weight.reverse, location: entry.location });
  }
  return tracked;
}

export function readTrackedScripts(node: ConfigNode, owner: string, knownScripts: ReadonlySet<string>, context: BuildContext): TrackedScript[] {
  const tracked: TrackedScript[] = [];
  for (const entry of valueBlock(node, context.diagnostics)) {
    const weight = readWeight(entry, owner, context);
    if (!weight.ok) continue;
    if (!knownScripts.has(entry.keyword)) {
      context.diagnostics.warn(entry.location, `(${owner}) track script ${entry.keyword} not found, ignoring...`);
      continue;
    }
    tracked.push({ name: entry.keyword, weight: weight.weight, reverse: weight.reverse, location: entry.location });
  }
  return tracked;
}
