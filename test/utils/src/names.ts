import { randomBytes } from 'node:crypto';

/** Every name a lab makes starts with this, so a leftover is easy to spot (`ip netns list | grep ^kt`). */
export const NAME_STEM = 'kt';

/** The longest tag `uniquePrefix` accepts: `kt` + 4 hex + 5 = 11 characters. */
export const MAX_TAG_LENGTH = 5;

/**
 * Interface names are limited to IFNAMSIZ - 1 = 15 characters by the kernel.
 * Namespace names have no such limit, but keeping the prefix short leaves room
 * for `-name` suffixes should a test ever need prefixed links in a shared namespace.
 */
export const IFNAMSIZ_MAX = 15;

const TAG_PATTERN = /^[a-z0-9]*$/;

/**
 * A short name prefix unique to this run: `kt` + 4 random hex digits + `tag`,
 * e.g. `kt3fa9gold`. Two test files running at once get different prefixes,
 * and a namespace left by a crashed run never collides with the next one.
 */
export function uniquePrefix(tag: string): string {
  if (tag.length > MAX_TAG_LENGTH || !TAG_PATTERN.test(tag)) {
    throw new RangeError(
      `uniquePrefix: tag ${JSON.stringify(tag)} must be at most ${MAX_TAG_LENGTH} characters of [a-z0-9]`,
    );
  }
  return `${NAME_STEM}${randomBytes(2).toString('hex')}${tag}`;
}

/** Throws unless `name` is usable as a Linux interface name (non-empty, <= 15 chars, no '/', ':' or spaces). */
export function assertInterfaceName(name: string): void {
  if (name.length === 0 || name.length > IFNAMSIZ_MAX || /[\s/:]/.test(name)) {
    throw new RangeError(`interface name ${JSON.stringify(name)} is not valid (1-${IFNAMSIZ_MAX} chars, no '/', ':' or spaces)`);
  }
}
