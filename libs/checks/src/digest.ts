// The digest of an HTTP_GET/SSL_GET url: the MD5 of the response body as
// keepalived computes it (see httpResponse.ts for which bytes), written as 32
// hex digits. keepalived reads the configured value in either case and
// compares bytes; here digests are kept as lowercase hex, as genhash prints them.

export const MD5_HEX_LENGTH = 32;

export type DigestParse = { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly reason: string };

/** Reads a configured digest, refusing what keepalived's digest keyword refuses (in its words). */
export function parseDigest(text: string): DigestParse {
  if (text.length !== MD5_HEX_LENGTH) {
    return { ok: false, reason: `digest '${text}' character length should be ${MD5_HEX_LENGTH} rather than ${text.length}` };
  }
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad) {
    const pair = bad.index - (bad.index % 2);
    return { ok: false, reason: `Unable to interpret hex digit in '${text}' at offset ${pair}/${pair + 1}` };
  }
  return { ok: true, digest: text.toLowerCase() };
}

export const digestsEqual = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
