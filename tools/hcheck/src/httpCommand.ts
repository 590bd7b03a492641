// hcheck http URL and hcheck https URL: keepalived's HTTP_GET and SSL_GET
// with one url block, through the library's httpCheck.

import { usageError } from '@keepalived-ts/cli';
import { httpCheck, type HttpCheckOptions } from '@keepalived-ts/checks';
import { parseDigest, parseStatusCodes } from './arguments.js';
import type { Subcommand } from './oneShot.js';
import { parseHttpUrl, resolveHost } from './target.js';

export function httpSubcommand(scheme: 'http' | 'https'): Subcommand {
  const tls = scheme === 'https';
  return {
    name: scheme,
    synopsis: `URL [--status CODES] [--digest MD5] [--host NAME]${tls ? ' [--insecure | --ca FILE] [--sni NAME]' : ''}`,
    summary: tls ? 'SSL_GET: one GET over TLS; its status (and digest) decide' : 'HTTP_GET: one GET; its status (and digest) decide',
    bind: true,
    positional: { min: 1, max: 1, names: 'URL' },
    declare: (cli) => {
      cli
        .option('--status <codes>', "Good status codes: 200, 200-299, 200,301-302 (keepalived's status_code)")
        .option('--digest <md5>', "MD5 of the body, as genhash prints it (keepalived's digest)")
        .option('--host <name>', "Host header (keepalived's virtualhost; default the URL's host name)")
        .option('--http-version <v>', '1.0 or 1.1');
      if (tls) {
        cli
          .option('--insecure', 'Do not verify the server certificate')
          .option('--ca <file>', 'Verify the certificate against the CAs in FILE (PEM)')
          .option('--sni <name>', "Server name to send in the TLS handshake (default the URL's host name, if it is one)");
      }
    },
    examples: tls
      ? ['hcheck https https://10.0.0.2/health --insecure', 'hcheck https https://web1.example.com/ --ca /etc/ssl/ca.pem']
      : ['hcheck http http://10.0.0.2/health --status 200', 'hcheck http http://10.0.0.2:8080/ --digest 9b3a0c85a887a256d6939da88aabd8cd --host www.example.com'],
    async prepare({ args, common, text, flag }) {
      const url = parseHttpUrl(args[0]!, scheme);
      const statusText = text('status');
      const digestText = text('digest');
      const httpVersion = text('httpVersion');
      if (httpVersion !== undefined && httpVersion !== '1.0' && httpVersion !== '1.1') throw usageError(`--http-version ${JSON.stringify(httpVersion)}: 1.0 or 1.1`);
      const insecure = tls && flag('insecure');
      const ca = tls ? text('ca') : undefined;
      if (insecure && ca !== undefined) throw usageError('--insecure and --ca: choose one');
      const sni = tls ? text('sni') : undefined;
      const address = await resolveHost(url.host);
      const virtualhost = text('host') ?? url.hostName;
      // A URL with a host name gets SNI, as a browser sends it; keepalived sends it only with enable_sni.
      const sniOption = sni ?? (url.hostName !== undefined ? true : undefined);
      const check: HttpCheckOptions = {
        host: address,
        port: url.port,
        urls: [{ path: url.path, ...(digestText ? { digest: parseDigest(digestText) } : {}), ...(statusText ? { statusCodes: parseStatusCodes(statusText) } : {}) }],
        ...(virtualhost ? { virtualhost } : {}),
        ...(httpVersion ? { httpVersion } : {}),
        ...(tls ? { tls: { ...(insecure ? { insecure } : {}), ...(ca !== undefined ? { ca } : {}), ...(sniOption !== undefined ? { sni: sniOption } : {}) } } : {}),
        timeoutMs: common.timeoutMs,
        bindTo: common.bindTo,
      };
      return { target: args[0]!, ...(address !== url.host ? { address } : {}), attempt: () => httpCheck(check) };
    },
  };
}
