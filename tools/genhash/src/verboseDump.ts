// What genhash -v prints around the response, byte for byte as keepalived
// 2.2.7 does: its section banners (check_http.c) and its hex dump
// (lib/utils.c dump_buffer): a decimal offset, 16 bytes as hex with a " -"
// after the eighth, the printable ASCII, and a last line padded to 16.

const DELIM_BEGIN = '-----------------------[';
const DELIM_END = ']-----------------------\n';

export const HTTP_HEADER_HEXA = `${DELIM_BEGIN}    HTTP Header Buffer    ${DELIM_END}`;
export const HTTP_HEADER_ASCII = `${DELIM_BEGIN} HTTP Header Ascii Buffer ${DELIM_END}`;
export const HTML_HEADER_HEXA = `${DELIM_BEGIN}        HTML Buffer        ${DELIM_END}`;
export const HTML_HASH = `${DELIM_BEGIN}    HTML hash resulting    ${DELIM_END}`;
export const HTML_HASH_FINAL = `${DELIM_BEGIN} HTML hash final resulting ${DELIM_END}`;

const HEX = Array.from({ length: 256 }, (_, i) => ` ${i.toString(16).padStart(2, '0')}`);
const ASCII = Array.from({ length: 256 }, (_, i) => (i >= 0x20 && i <= 0x7e ? String.fromCharCode(i) : '.'));

/** dump_buffer(buff, count, stdout, 0). */
export function dumpBuffer(bytes: Uint8Array): string {
  const padded = bytes.length % 16 === 0 ? bytes.length : bytes.length + 16 - (bytes.length % 16);
  let out = '';
  for (let line = 0; line < padded; line += 16) {
    // "%.4zu ": the offset in decimal, at least four digits, wrapping at 0xffff.
    out += `${String(line & 0xffff).padStart(4, '0')} `;
    let ascii = '';
    for (let i = line; i < line + 16; i++) {
      out += i < bytes.length ? HEX[bytes[i]!] : '   ';
      if (i % 16 === 7) out += ' -';
      ascii += i < bytes.length ? ASCII[bytes[i]!] : ' ';
    }
    out += `   ${ascii}\n`;
  }
  return out;
}

/** dump_digest: a blank line, the 16 digest bytes dumped, the final banner. */
export function digestDump(hexDigest: string): string {
  return `\n${HTML_HASH}${dumpBuffer(Buffer.from(hexDigest, 'hex'))}${HTML_HASH_FINAL}`;
}
