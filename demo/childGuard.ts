// The demo's helper programs (web server, HTTP client) run in the lab's
// namespaces as children of the demo. They must never outlive it, even if it
// is killed too hard to clean up: each ends when its parent goes away (it is
// then reparented, so its parent PID changes) or after a fixed lifetime.

export function endWithParent(lifetimeSeconds: number, onEnd: () => void): void {
  const parent = process.ppid;
  const end = (): void => {
    onEnd();
    // Sockets still closing must not keep an orphan alive.
    setTimeout(() => process.exit(0), 500).unref();
  };
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      end();
    }
  }, 500);
  watch.unref();
  setTimeout(end, lifetimeSeconds * 1000).unref();
}

/** A positional argument that must be a positive number. */
export function positiveNumber(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${what} must be a positive number, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}
