// The part of glob(3) keepalived's `include` uses (GLOB_MARK | GLOB_BRACE):
// `*`, `?` and `[...]` within one path segment, `{a,b}` alternatives, and
// results sorted per pattern. Node 20 has no fs.glob, and the reader is
// injected so tests can glob over an in-memory tree.

/** `executable`: a regular file with an execute bit, which keepalived refuses as a config file. */
export type EntryKind = 'file' | 'executable' | 'directory' | 'other';

export interface GlobFileSystem {
  /** Names in a directory, or undefined when it is not a readable directory. */
  listDirectory(path: string): readonly string[] | undefined;
  /** What is at a path (symbolic links followed), or undefined when nothing is. */
  kindOf(path: string): EntryKind | undefined;
}

const MAGIC = /[*?[]/;

export const hasWildcard = (pattern: string): boolean => MAGIC.test(pattern.replace(/\\./g, ''));

/** Expands `{a,b}` alternatives, innermost choices included, left to right as glibc does. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) {
          // `{x}` is not an alternative list; keep it and look further on.
          return expandBraces(pattern.slice(i + 1)).map((rest) => pattern.slice(0, i + 1) + rest);
        }
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const choices: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) choices.push(pattern.slice(bounds[k]! + 1, bounds[k + 1]));
        return choices.flatMap((choice) => expandBraces(head + choice + tail));
      }
    } else if (ch === ',' && depth === 1) {
      commas.push(i);
    }
  }
  return [pattern];
}

/** Whether a name matches one glob segment; a leading dot must be matched explicitly. */
export function matchSegment(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(pattern: string, p: number, name: string, n: number): boolean {
  while (p < pattern.length) {
    const ch = pattern[p]!;
    if (ch === '*') {
      while (pattern[p] === '*') p++;
      if (p === pattern.length) return true;
      for (let k = n; k <= name.length; k++) if (matchFrom(pattern, p, name, k)) return true;
      return false;
    }
    if (n >= name.length) return false;
    if (ch === '?') {
      p++;
      n++;
      continue;
    }
    if (ch === '[') {
      const set = readBracket(pattern, p);
      if (set) {
        if (!set.matches(name[n]!)) return false;
        p = set.end;
        n++;
        continue;
      }
      // An unclosed `[` is an ordinary character, as in fnmatch.
    }
    let literal = ch;
    if (ch === '\\' && p + 1 < pattern.length) {
      p++;
      literal = pattern[p]!;
    }
    if (literal !== name[n]) return false;
    p++;
    n++;
  }
  return n === name.length;
}

function readBracket(pattern: string, open: number): { end: number; matches: (ch: string) => boolean } | undefined {
  let i = open + 1;
  const negate = pattern[i] === '!' || pattern[i] === '^';
  if (negate) i++;
  const ranges: [string, string][] = [];
  let first = true;
  while (i < pattern.length && (first || pattern[i] !== ']')) {
    first = false;
    let low = pattern[i]!;
    if (low === '\\' && i + 1 < pattern.length) low = pattern[++i]!;
    if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
      let high = pattern[i + 2]!;
      if (high === '\\' && i + 3 < pattern.length) {
        high = pattern[i + 3]!;
        i++;
      }
      ranges.push([low, high]);
      i += 3;
    } else {
      ranges.push([low, low]);
      i++;
    }
  }
  if (pattern[i] !== ']') return undefined;
  return { end: i + 1, matches: (ch) => ranges.some(([low, high]) => ch >= low && ch <= high) !== negate };
}

const unescape = (segment: string): string => segment.replace(/\\(.)/g, '$1');

/**
 * Every existing path a pattern names (relative ones stay relative), sorted within each brace
 * alternative as glob(3) returns them. Directories are left out, as keepalived
 * skips them; the caller judges the other kinds.
 */
export function expandGlob(pattern: string, fs: GlobFileSystem): string[] {
  const results: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    const absolute = alternative.startsWith('/');
    const segments = alternative.split('/').filter((segment) => segment !== '');
    // '' stands for the current directory of a relative pattern, so results stay relative.
    let paths = [absolute ? '/' : ''];
    for (const segment of segments) {
      const next: string[] = [];
      for (const dir of paths) {
        const join = (name: string): string => (dir === '' ? name : dir.endsWith('/') ? dir + name : `${dir}/${name}`);
        if (!hasWildcard(segment)) {
          const path = join(unescape(segment));
          if (fs.kindOf(path) !== undefined) next.push(path);
          continue;
        }
        const names = fs.listDirectory(dir === '' ? '.' : dir);
        if (!names) continue;
        for (const name of [...names].sort()) if (matchSegment(segment, name)) next.push(join(name));
      }
      paths = next;
    }
    results.push(...paths.filter((path) => fs.kindOf(path) !== 'directory').sort());
  }
  return results;
}
