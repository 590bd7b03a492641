// Ethernet addresses as `ip link` prints them: six lower-case hex pairs joined by ':'.

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Six bytes from `aa:bb:cc:dd:ee:ff` (any case, '-' also accepted); undefined when it is not one. */
export function parseMac(text: string): Buffer | undefined {
  const normalized = text.replaceAll('-', ':');
  if (!MAC_PATTERN.test(normalized)) return undefined;
  return Buffer.from(normalized.split(':').map((pair) => Number.parseInt(pair, 16)));
}

export function formatMac(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}
