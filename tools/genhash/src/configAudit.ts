// genhash --config FILE: every url of every HTTP_GET and SSL_GET in a
// keepalived.conf, fetched from the live server as keepalived would fetch it
// (connect_ip/connect_port, virtualhost, http_protocol, enable_sni,
// connect_timeout), one line each:
//
//   FILE:LINE: ENDPOINT CHECKER PATH STATUS DIGEST VERDICT [DETAIL]
//
// VERDICT is ok (the configured digest matches), MISMATCH (followed by the
// configured digest), no-digest (nothing configured to compare) or ERROR
// (followed by why). Urls are fetched one after another.

import { ExitCode, UserError, type Colour } from '@keepalived-ts/cli';
import { describeHttpFailure, findHttpChecks, formatEndpoint, httpFetch, type ConfiguredHttpCheck, type ConfiguredUrl } from '@keepalived-ts/checks';
import { formatLocation, loadKeepalivedConfig, type ParseResult } from '@keepalived-ts/config';
import type { ConfigModeOptions } from './options.js';
import { Output } from './output.js';

export const CONFIG_UNREADABLE = 2;
export const DIGEST_MISMATCH = 3;

type Verdict = 'ok' | 'MISMATCH' | 'no-digest' | 'ERROR';

interface UrlReport {
  readonly location: string;
  readonly virtualServer: string;
  readonly endpoint: string;
  readonly checker: ConfiguredHttpCheck['checker'];
  readonly path: string;
  readonly virtualhost: string | null;
  readonly statusCode: number | null;
  readonly digest: string | null;
  readonly configuredDigest: string | null;
  readonly verdict: Verdict;
  readonly error: string | null;
}

export async function auditConfig(options: ConfigModeOptions, colour: Colour, errColour: Colour): Promise<number> {
  let parsed: ParseResult;
  try {
    parsed = loadKeepalivedConfig(options.config, { checkInterfaces: false });
  } catch (error) {
    throw new UserError(`${options.config}: ${(error as Error).message.replace(/^\w+: /, '')}`, CONFIG_UNREADABLE);
  }
  const checks = findHttpChecks(parsed.config.virtualServers);
  const out = new Output();
  const warn = (line: string): void => {
    out.flush();
    process.stderr.write(errColour.yellow(`genhash: ${line}`) + '\n');
  };
  if (checks.length === 0) warn(`${options.config}: no HTTP_GET or SSL_GET checker`);
  let failed = 0;
  let total = 0;
  for (const check of checks) {
    for (const problem of check.problems) warn(`${formatLocation(problem.location, false)}: ${problem.message}`);
    if (!check.options) continue;
    for (const url of check.options.urls) {
      total++;
      const report = await auditUrl(check, url, options.ca);
      if (report.verdict === 'MISMATCH' || report.verdict === 'ERROR') failed++;
      out.text(options.json ? `${JSON.stringify(report)}\n` : `${textLine(report, colour)}\n`);
    }
  }
  out.flush();
  if (failed > 0) {
    process.stderr.write(errColour.red(`genhash: ${failed} of ${total} url${total === 1 ? '' : 's'} no longer match${failed === 1 ? 'es' : ''} or could not be fetched`) + '\n');
    return DIGEST_MISMATCH;
  }
  return ExitCode.ok;
}

async function auditUrl(check: ConfiguredHttpCheck, url: ConfiguredUrl, ca: string | undefined): Promise<UrlReport> {
  const options = check.options!;
  const virtualhost = url.virtualhost ?? options.virtualhost;
  const endpoint = formatEndpoint(options.host, options.port);
  const result = await httpFetch({
    host: options.host,
    port: options.port,
    path: url.path,
    ...(virtualhost !== undefined ? { virtualhost } : {}),
    ...(options.httpVersion ? { httpVersion: options.httpVersion } : {}),
    ...(options.tls ? { tls: ca !== undefined ? { ...options.tls, insecure: false, ca } : options.tls } : {}),
    ...(options.bindTo !== undefined ? { bindTo: options.bindTo } : {}),
    // connect_timeout bounds each wait, as keepalived applies it.
    waitTimeoutMs: options.timeoutMs,
  });
  const base = {
    location: formatLocation(url.location, false),
    virtualServer: check.virtualServer,
    endpoint,
    checker: check.checker,
    path: url.path,
    virtualhost: virtualhost ?? null,
    configuredDigest: url.digest ?? null,
  };
  if (!result.ok) return { ...base, statusCode: null, digest: null, verdict: 'ERROR', error: describeHttpFailure(result.failure, endpoint).detail };
  const response = result.response;
  if (!response.headerComplete) return { ...base, statusCode: null, digest: null, verdict: 'ERROR', error: 'no HTTP response (the connection closed before the header ended)' };
  const digest = response.digest ?? null;
  const verdict: Verdict = url.digest === undefined ? 'no-digest' : url.digest === digest ? 'ok' : 'MISMATCH';
  return { ...base, statusCode: response.statusCode, digest, verdict, error: null };
}

function textLine(report: UrlReport, colour: Colour): string {
  const fields = [`${report.location}:`, report.endpoint, report.checker, report.path, report.statusCode === null ? '-' : String(report.statusCode), report.digest ?? '-'];
  switch (report.verdict) {
    case 'ok':
      return [...fields, colour.green('ok')].join(' ');
    case 'no-digest':
      return [...fields, colour.yellow('no-digest')].join(' ');
    case 'MISMATCH':
      return [...fields, colour.red.bold('MISMATCH'), `configured ${report.configuredDigest}`].join(' ');
    case 'ERROR':
      return [...fields, colour.red('ERROR'), report.error ?? ''].join(' ');
  }
}
