// One line of `virtual_ipaddress` / `virtual_ipaddress_excluded`:
// ADDR[/PREFIX] [dev IF] [brd ADDR] [scope SCOPE] [label LABEL] [flags...]
// (keepalived 2.2.7 vrrp/vrrp_ipaddress.c parse_ipaddress(), alloc_ipaddress()).

import { familyOf } from '@keepalived-ts/vrrp';
import type { BuildContext } from './environment.js';
import type { VirtualAddress } from './model.js';
import type { ConfigNode } from './parser.js';
import { readUnsigned } from './values.js';

const SCOPES = new Set(['host', 'link', 'global', 'universe', 'site', 'nowhere']);
/** Flags without a value that keepalived passes to the kernel. */
const FLAGS = new Set(['home', '-nodad', 'nodad', 'noprefixroute', 'autojoin', 'mngtmpaddr', 'use_vmac']);

export function readVirtualAddress(node: ConfigNode, context: BuildContext): VirtualAddress | undefined {
  const { diagnostics } = context;
  const [addressText, prefixText] = node.keyword.split('/', 2);
  const family = familyOf(addressText ?? '');
  if (!addressText || family === undefined) {
    diagnostics.warn(node.location, `VRRP parsed invalid IP ${node.keyword}. skipping IP...`);
    return undefined;
  }
  const maxPrefix = family === 4 ? 32 : 128;
  let prefixLength = maxPrefix;
  if (prefixText !== undefined) {
    const read = readUnsigned(prefixText, 0, maxPrefix);
    if (read.ok) prefixLength = read.value;
    else diagnostics.warn(node.location, `${read.reason}: invalid address prefix len ${prefixText} for address ${node.keyword} - using ${maxPrefix}`);
  }
  let device: string | undefined;
  let broadcast: string | undefined;
  let scope: string | undefined;
  let label: string | undefined;
  let noTrack = false;
  const flags: string[] = [];
  const args = node.args;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const value = args[i + 1];
    const needsValue = ['dev', 'brd', 'broadcast', 'scope', 'label', 'peer', 'preferred_lft'].includes(word);
    if (needsValue && value === undefined) {
      diagnostics.warn(node.location, `missing value after '${word}' for ip address ${node.keyword} - ignoring '${word}'`);
      continue;
    }
    switch (word) {
      case 'dev':
        device = value;
        if (context.environment.interfaceStatus?.(value!) === 'missing') {
          diagnostics.warn(node.location, `WARNING - interface ${value} for ip address ${addressText} doesn't exist`);
          diagnostics.add({ severity: 'error', kind: 'fatal', location: node.location, message: `non-existent interface ${value} specified in configuration` });
        }
        i++;
        break;
      case 'brd':
      case 'broadcast':
        if (value === '+' || value === '-' || familyOf(value!) === 4) broadcast = value;
        else diagnostics.warn(node.location, `invalid broadcast address ${value} for ${addressText} - ignoring`);
        i++;
        break;
      case 'scope':
        if (SCOPES.has(value!) || readUnsigned(value!, 0, 255).ok) scope = value;
        else diagnostics.warn(node.location, `invalid scope '${value}' specified for ${addressText} - ignoring`);
        i++;
        break;
      case 'label':
        label = value;
        i++;
        break;
      case 'peer':
      case 'preferred_lft':
        flags.push(word, value!);
        i++;
        break;
      case 'no_track':
        noTrack = true;
        break;
      default:
        if (FLAGS.has(word)) flags.push(word);
        else diagnostics.warn(node.location, `unknown configuration entry '${word}' for ip address - ignoring`);
    }
  }
  return { address: addressText, family, prefixLength, device, broadcast, scope, label, noTrack, flags, location: node.location };
}
