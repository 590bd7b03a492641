// The initramfs is an uncompressed cpio archive in the "newc" format, the one
// the kernel unpacks (Documentation/driver-api/early-userspace/buffer-format.rst).
// Written here rather than with cpio(1) so that /dev/console can be a device
// node without mknod on the host, and so that the host needs no cpio.

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'chardev'; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const TRAILER = 'TRAILER!!!';

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function header(fields: {
  ino: number;
  mode: number;
  nlink: number;
  fileSize: number;
  rdevMajor: number;
  rdevMinor: number;
  nameSize: number;
}): string {
  const mtime = 0; // reproducible: the archive depends only on its contents
  return [
    '070701',
    hex8(fields.ino),
    hex8(fields.mode),
    hex8(0), // uid
    hex8(0), // gid
    hex8(fields.nlink),
    hex8(mtime),
    hex8(fields.fileSize),
    hex8(0), // devmajor
    hex8(0), // devminor
    hex8(fields.rdevMajor),
    hex8(fields.rdevMinor),
    hex8(fields.nameSize),
    hex8(0), // check
  ].join('');
}

/** Encodes `entries` (parents before children) as a newc archive with its trailer. */
export function encodeCpio(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  const push = (chunk: Buffer): void => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  const pushPadded = (chunk: Buffer): void => {
    push(chunk);
    const padding = pad4(offset);
    if (padding > 0) push(Buffer.alloc(padding));
  };
  const record = (
    ino: number,
    name: string,
    mode: number,
    data: Buffer,
    rdev: { major: number; minor: number } = { major: 0, minor: 0 },
  ): void => {
    const nameBytes = Buffer.from(`${name}\0`);
    const head = header({
      ino,
      mode,
      nlink: (mode & S_IFDIR) === S_IFDIR ? 2 : 1,
      fileSize: data.length,
      rdevMajor: rdev.major,
      rdevMinor: rdev.minor,
      nameSize: nameBytes.length,
    });
    pushPadded(Buffer.concat([Buffer.from(head, 'ascii'), nameBytes]));
    if (data.length > 0) pushPadded(data);
  };

  entries.forEach((entry, index) => {
    const name = entry.path.replace(/^\/+/, '');
    if (name === '' || name.split('/').includes('..')) throw new RangeError(`cpio: bad path ${entry.path}`);
    const ino = index + 1;
    switch (entry.kind) {
      case 'dir':
        record(ino, name, S_IFDIR | (entry.mode ?? 0o755), Buffer.alloc(0));
        break;
      case 'file':
        record(ino, name, S_IFREG | (entry.mode ?? 0o644), Buffer.from(entry.data));
        break;
      case 'symlink':
        record(ino, name, S_IFLNK | 0o777, Buffer.from(entry.target));
        break;
      case 'chardev':
        record(ino, name, S_IFCHR | (entry.mode ?? 0o600), Buffer.alloc(0), entry);
        break;
    }
  });
  record(0, TRAILER, 0, Buffer.alloc(0));
  return Buffer.concat(chunks, offset);
}
