// HTTP_GET's status_code keyword: single codes and ranges ("200-299 400-499
// 503"), read and matched as keepalived 2.2.7 does (check_http.c,
// status_code_handler and url_check). Codes outside 100-599 are refused, and
// a url without status_code accepts 200-299.

/** Inclusive range of accepted status codes. */
export type StatusRange = readonly [number, number];

export const HTTP_STATUS_CODE_MIN = 100;
export const HTTP_STATUS_CODE_MAX = 599;

/** keepalived's default when a url gives no status_code. */
export const DEFAULT_STATUS_CODES: readonly StatusRange[] = [[200, 299]];

export interface StatusCodesParse {
  readonly ranges: readonly StatusRange[];
  /** One message per word keepalived would refuse (and skip), in its words. */
  readonly errors: readonly string[];
}

/** Reads the words after `status_code`; a bad word is skipped, as keepalived skips it. */
export function parseStatusCodes(words: readonly string[]): StatusCodesParse {
  const ranges: StatusRange[] = [];
  const errors: string[] = [];
  for (const word of words) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(word);
    const min = match ? Number(match[1]) : NaN;
    const max = match?.[2] !== undefined ? Number(match[2]) : min;
    if (!match || min < HTTP_STATUS_CODE_MIN || max > HTTP_STATUS_CODE_MAX || min > max) {
      errors.push(`Invalid HTTP_GET status code '${word}'`);
      continue;
    }
    ranges.push([min, max]);
  }
  return { ranges, errors };
}

export function statusMatches(code: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some(([min, max]) => code >= min && code <= max);
}

/** "200", "200-299", "200, 301-302": for reasons such as "status 503 (want 200-299)". */
export function formatStatusCodes(ranges: readonly StatusRange[]): string {
  return ranges.map(([min, max]) => (min === max ? `${min}` : `${min}-${max}`)).join(', ');
}
