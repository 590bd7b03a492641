// A real nginx for the HTTP_GET / SSL_GET tests: its own nginx.conf in a
// temporary directory, HTTP and HTTPS on loopback ports the kernel picked,
// two virtual hosts, a path answering 503, a chunked path, files of chosen
// sizes, and a self-signed certificate made with openssl. Run in the
// foreground as a child (`master_process off`), stopped by the test.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, spawnProcess, waitFor, type ProcessHandle } from '@keepalived-ts/test-utils';

export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
export const KEEPALIVED_GENHASH = ['/usr/bin/genhash', '/usr/sbin/genhash'].find((path) => existsSync(path));
export const OPENSSL = ['/usr/bin/openssl'].find((path) => existsSync(path));
export const OUR_GENHASH = fileURLToPath(new URL('../../tools/genhash/dist/genhash.js', import.meta.url));

/** Why these tests cannot run here, or false. */
export function missingTools(): string | false {
  if (!NGINX) return 'needs nginx (apt-get install nginx-light)';
  if (!KEEPALIVED_GENHASH) return "needs keepalived's genhash (apt-get install keepalived)";
  if (!OPENSSL) return 'needs openssl';
  if (!existsSync(OUR_GENHASH)) return 'needs the built tools (node scripts/build.mjs)';
  return false;
}

export const VHOST = 'www.example.test';
export const OTHER_VHOST = 'other.example.test';
export const INDEX_BODY = 'hello from nginx\n';

export interface NginxLab {
  readonly dir: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The self-signed certificate, also usable as the CA file. */
  readonly certFile: string;
  /** MD5 of each file under www/, by URL path. */
  readonly digests: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the kernel's pick, released for the test to use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface NginxOptions {
  /** File name under www/ to size in bytes (random content). */
  readonly files?: Readonly<Record<string, number>>;
  /**
   * sendfile writes the body apart from the header, so the two may reach the
   * client in separate reads, and genhash -v dumps reads as they come: off
   * (the default) when dumps are compared, on for speed.
   */
  readonly sendfile?: boolean;
}

export async function startNginx(dir: string, options: NginxOptions = {}): Promise<NginxLab> {
  const files = options.files ?? {};
  const www = join(dir, 'www');
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await mkdir(www, { recursive: true });
  const digests = new Map<string, string>();
  const put = async (name: string, data: Uint8Array): Promise<void> => {
    await writeFile(join(www, name), data);
    digests.set(`/${name}`, createHash('md5').update(data).digest('hex'));
  };
  await put('index.html', Buffer.from(INDEX_BODY));
  for (const [name, size] of Object.entries(files)) await put(name, randomFile(size));

  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await runCommand([OPENSSL!, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${VHOST}`, '-addext', `subjectAltName=DNS:${VHOST},DNS:${OTHER_VHOST},IP:127.0.0.1`], { check: true });

  const httpPort = await freePort();
  const httpsPort = await freePort();
  const server = (listen: string, name: string, tls: boolean, vhostBody: string): string => `
    server {
      listen ${listen};
      server_name ${name};
      root ${www};
      ${tls ? `ssl_certificate ${certFile}; ssl_certificate_key ${keyFile};` : ''}
      location = /503 { return 503 "down for maintenance\\n"; }
      location = /vh { return 200 "${vhostBody}\\n"; }
      # sub_filter makes the length unknown: chunked for an HTTP/1.1 request.
      location = /chunked.html { alias ${www}/index.html; sub_filter 'nginx' 'NGINX'; sub_filter_types *; }
    }`;
  const conf = `
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile ${options.sendfile ? 'on' : 'off'};
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  ${server(`127.0.0.1:${httpPort} default_server`, VHOST, false, 'vhost www')}
  ${server(`127.0.0.1:${httpPort}`, OTHER_VHOST, false, 'vhost other')}
  ${server(`127.0.0.1:${httpsPort} ssl default_server`, VHOST, true, 'vhost www')}
  ${server(`127.0.0.1:${httpsPort} ssl`, OTHER_VHOST, true, 'vhost other')}
}
`;
  const confFile = join(dir, 'nginx.conf');
  await writeFile(confFile, conf);
  const handle: ProcessHandle = await spawnProcess([NGINX!, '-e', 'stderr', '-p', dir, '-c', confFile]);
  try {
    await waitFor(async () => (await accepts(httpPort)) && (await accepts(httpsPort)), { timeoutMs: 10_000, intervalMs: 50, what: 'nginx to listen' });
  } catch (error) {
    await handle.stop('SIGKILL');
    throw new Error(`nginx did not start: ${handle.text()}\n${String(error)}`);
  }
  return {
    dir,
    httpPort,
    httpsPort,
    certFile,
    digests,
    async stop() {
      await handle.stop('SIGTERM', { timeoutMs: 5_000 });
    },
  };
}

/** Pseudo-random bytes, so no compression anywhere could shrink them. */
function randomFile(size: number): Buffer {
  const block = randomBytes(Math.min(size, 1 << 20));
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += block.length) block.copy(out, at, 0, Math.min(block.length, size - at));
  return out;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A listener that accepts connections and never answers: reads time out. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
