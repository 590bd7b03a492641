// Finds the compressed kernel inside an x86 bzImage, so that the harness can
// unpack the ELF vmlinux once and QEMU can boot it through its PVH entry
// point: under TCG the kernel's own xz decompressor costs about 5 s per boot.
// Offsets from the x86 boot protocol (Documentation/arch/x86/boot.rst).

const SETUP_SECTS = 0x1f1;
const HEADER_MAGIC = 0x202;
const PAYLOAD_OFFSET = 0x248;
const PAYLOAD_LENGTH = 0x24c;
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const XZ_FOOTER_MAGIC = Buffer.from('YZ', 'ascii');

export type PayloadResult =
  | { readonly ok: true; readonly xz: Buffer }
  | { readonly ok: false; readonly reason: string };

/**
 * Returns the xz stream of a bzImage's payload. The kernel build appends the
 * uncompressed size (4 bytes, little endian) after the stream (scripts/
 * Makefile.lib, size_append); it is cut off here, as busybox's unxz rejects
 * trailing bytes.
 */
export function bzImageXzPayload(image: Buffer): PayloadResult {
  if (image.length < PAYLOAD_LENGTH + 4) return { ok: false, reason: `file too short for a bzImage (${image.length} bytes)` };
  if (image.toString('ascii', HEADER_MAGIC, HEADER_MAGIC + 4) !== 'HdrS') return { ok: false, reason: 'no "HdrS" boot header' };
  const setupSectors = image.readUInt8(SETUP_SECTS) || 4;
  const protectedModeStart = (setupSectors + 1) * 512;
  const start = protectedModeStart + image.readUInt32LE(PAYLOAD_OFFSET);
  const length = image.readUInt32LE(PAYLOAD_LENGTH);
  if (start + length > image.length) return { ok: false, reason: `payload (${start}+${length}) runs past the end of the file (${image.length})` };
  const payload = image.subarray(start, start + length);
  if (!payload.subarray(0, XZ_MAGIC.length).equals(XZ_MAGIC)) {
    return { ok: false, reason: `payload is not xz (starts with ${payload.subarray(0, 6).toString('hex')})` };
  }
  const xz = payload.subarray(0, length - 4);
  if (!xz.subarray(xz.length - 2).equals(XZ_FOOTER_MAGIC)) return { ok: false, reason: 'xz stream does not end 4 bytes before the payload does' };
  return { ok: true, xz };
}
