// The pure parts of the harness, without a guest: quoting for bash, the
// module order of the initramfs, and the cpio archive the kernel unpacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runCommand } from '@keepalived-ts/test-utils';

import { encodeCpio } from './cpio.js';
import { commandScript, shellQuote, stage2Script } from './guestScripts.js';
import { initramfsModules } from './vmImage.js';

describe('shellQuote and commandScript', () => {
  it('hand bash every word back unchanged', async () => {
    const words = ['plain', 'two words', "it's", '$HOME', '`date`', 'a\nb', '*', '', '--flag=x;y', '"q"', '\\'];
    const result = await runCommand(['bash', '-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { check: true });
    assert.deepEqual(result.stdout.split('\0').slice(0, -1), words);
  });

  it('exec an argv, and run a string as a script', () => {
    assert.equal(commandScript(['ipvsadm', '-Ln']), 'exec ipvsadm -Ln\n');
    assert.equal(commandScript(['sh', '-c', 'exit 3']), "exec sh -c 'exit 3'\n");
    assert.equal(commandScript('ipvsadm -Ln && cat /proc/net/ip_vs'), 'ipvsadm -Ln && cat /proc/net/ip_vs\n');
    assert.throws(() => commandScript([]), /empty command/);
  });

  it('refuse an environment variable name that bash would not export', () => {
    const base = { busybox: '/bb', moduleTree: '/m', kernelVersion: '6.1.0-1-amd64', cwd: '/', timeoutMs: 1000 };
    assert.match(stage2Script({ ...base, env: { NODE_OPTIONS: "--x 'y'" } }), /^export NODE_OPTIONS='--x '\\''y'\\'''$/m);
    assert.throws(() => stage2Script({ ...base, env: { 'A;B': '1' } }), /bad environment variable name/);
  });
});

describe('initramfsModules', () => {
  it('orders dependencies first, once each, from busybox-style modules.dep', () => {
    const modulesDep = [
      'kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko',
      'kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko',
      'kernel/fs/netfs/netfs.ko:',
      'kernel/net/9p/9pnet.ko:',
      'kernel/net/9p/9pnet_virtio.ko: kernel/drivers/virtio/virtio.ko kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio_ring.ko:',
      'kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
      'kernel/fs/overlayfs/overlay.ko:',
    ].join('\n');
    const order = initramfsModules(modulesDep).map((path) => path.replace(/^.*\//, '').replace('.ko', ''));
    assert.deepEqual(order, ['virtio_ring', 'virtio', 'virtio_pci', '9pnet', '9pnet_virtio', 'netfs', 'fscache', '9p', 'overlay']);
  });

  it('says which module is missing', () => {
    assert.throws(() => initramfsModules('kernel/fs/overlayfs/overlay.ko:\n'), /virtio_pci is not in modules.dep/);
  });
});

describe('encodeCpio', () => {
  it('writes newc records aligned to 4 bytes, ending with the trailer', () => {
    const archive = encodeCpio([
      { kind: 'dir', path: 'bin' },
      { kind: 'file', path: 'bin/hello', data: Buffer.from('hi\n'), mode: 0o755 },
      { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    ]);
    const records: { name: string; mode: number; size: number; rdev: [number, number] }[] = [];
    let offset = 0;
    const field = (index: number): number => parseInt(archive.toString('ascii', offset + 6 + index * 8, offset + 14 + index * 8), 16);
    while (offset < archive.length) {
      assert.equal(archive.toString('ascii', offset, offset + 6), '070701');
      const [mode, size, nameSize] = [field(1), field(6), field(11)];
      const name = archive.toString('ascii', offset + 110, offset + 110 + nameSize - 1);
      records.push({ name, mode, size, rdev: [field(9), field(10)] });
      offset = Math.ceil((offset + 110 + nameSize) / 4) * 4;
      offset = Math.ceil((offset + size) / 4) * 4;
    }
    assert.equal(offset, archive.length);
    assert.deepEqual(
      records.map(({ name, mode, size, rdev }) => [name, mode.toString(8), size, rdev.join(',')]),
      [
        ['bin', '40755', 0, '0,0'],
        ['bin/hello', '100755', 3, '0,0'],
        ['dev/console', '20600', 0, '5,1'],
        ['TRAILER!!!', '0', 0, '0,0'],
      ],
    );
  });
});
