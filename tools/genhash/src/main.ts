// genhash: the MD5 digest keepalived's HTTP_GET and SSL_GET compare, printed
// as keepalived 2.2.7's genhash prints it (same flags, output, messages and
// exit statuses), plus --json, and --config to check every url of a
// keepalived.conf against the live servers. Exit statuses: 0 done (whatever
// the server did, as genhash), 1 a command-line error (with the usage, as
// genhash), 2 --config: the file cannot be read, 3 --config: a digest no
// longer matches or a url could not be fetched.

import { ExitCode, UserError, colourFor, runMain } from '@keepalived-ts/cli';
import { describeHttpFailure, formatEndpoint, httpFetch, type HttpFetchResult, type HttpReadObserver } from '@keepalived-ts/checks';
import { auditConfig } from './configAudit.js';
import { genhashOutcome, type GenhashOutcome } from './outcome.js';
import { Output } from './output.js';
import { parseCommandLine, type GenhashOptions } from './options.js';
import { usageText } from './usage.js';
import { HTML_HEADER_HEXA, HTTP_HEADER_ASCII, HTTP_HEADER_HEXA, digestDump, dumpBuffer } from './verboseDump.js';

const PROGRAM = 'genhash';

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2));
  if (parsed.kind === 'usage') {
    process.stderr.write(parsed.messages.map((line) => `${line}\n`).join('') + usageText(PROGRAM));
    return ExitCode.failure;
  }
  if (parsed.kind === 'config') {
    return auditConfig(parsed.options, colourFor(process.stdout, parsed.options.noColor), colourFor(process.stderr, parsed.options.noColor));
  }
  return fetchOne(parsed.options);
}

async function fetchOne(options: GenhashOptions): Promise<number> {
  if (options.fwmark !== undefined) throw new UserError('-m: cannot mark the packets: Node.js cannot set SO_MARK on a socket', ExitCode.failure);
  if (options.ca !== undefined && !options.ssl) throw new UserError('--ca applies to SSL (-S) only', ExitCode.failure);
  const out = new Output();
  const verbose = options.verbose;
  const observer: HttpReadObserver | undefined = verbose
    ? {
        headerRead: () => out.text(HTTP_HEADER_HEXA),
        // The hex dump, then the header's bytes as they came.
        header: (bytes) => {
          out.text(dumpBuffer(bytes) + HTTP_HEADER_ASCII);
          out.bytes(bytes);
          out.text('\n');
        },
        body: (bytes, withHeader) => out.text((withHeader ? HTML_HEADER_HEXA : '') + dumpBuffer(bytes)),
      }
    : undefined;
  const started = process.hrtime.bigint();
  const result: HttpFetchResult = await httpFetch({
    host: options.server,
    port: options.port,
    path: options.url,
    httpVersion: options.protocol,
    ...(options.virtualhost !== undefined ? { virtualhost: options.virtualhost } : {}),
    // keepalived's genhash never verifies the certificate; --ca asks for it.
    ...(options.ssl ? { tls: { sni: options.sni, ...(options.ca !== undefined ? { ca: options.ca } : { insecure: true }) } } : {}),
    // Without -t keepalived waits UINT_MAX µs per wait.
    waitTimeoutMs: (options.timeoutUs ?? 0xffffffff) / 1000,
    ...(observer ? { observer } : {}),
  });
  const responseTimeUs = Number((process.hrtime.bigint() - started) / 1000n);
  const outcome = genhashOutcome(result, options.ssl);
  if (options.json) {
    out.text(`${JSON.stringify(jsonRecord(options, result, outcome, responseTimeUs))}\n`);
    out.flush();
    return ExitCode.ok;
  }
  if (verbose && outcome.digestDump !== undefined) out.text(digestDump(outcome.digestDump));
  if (outcome.stdout !== undefined) out.text(`${outcome.stdout}\n`);
  if (outcome.stderr !== undefined) {
    out.flush();
    process.stderr.write(`${outcome.stderr}\n`);
  }
  if (verbose) out.text(`\nGlobal response time for [${options.url}] = ${responseTimeUs} usecs\n`);
  out.flush();
  return ExitCode.ok;
}

function jsonRecord(options: GenhashOptions, result: HttpFetchResult, outcome: GenhashOutcome, responseTimeUs: number): Record<string, unknown> {
  const response = result.ok ? result.response : result.failure.kind === 'io' ? result.failure.response : undefined;
  return {
    server: options.server,
    port: options.port,
    endpoint: formatEndpoint(options.server, options.port),
    url: options.url,
    ssl: options.ssl,
    sni: options.ssl && options.sni && options.virtualhost !== undefined ? options.virtualhost : null,
    virtualhost: options.virtualhost ?? null,
    protocol: options.protocol,
    digest: outcome.digest ?? null,
    statusCode: response?.headerComplete ? response.statusCode : null,
    contentLength: response?.contentLength ?? null,
    bodyBytes: response?.bodyBytes ?? null,
    responseTimeUs,
    error: outcome.digest === undefined ? (outcome.stdout ?? outcome.stderr ?? null) : null,
    // genhash's messages are terse ("Connection failed"); this says why.
    detail: result.ok ? null : describeHttpFailure(result.failure, formatEndpoint(options.server, options.port)).detail,
  };
}

void runMain(PROGRAM, main);
