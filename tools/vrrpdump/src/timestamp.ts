// tcpdump's default time stamp: local wall-clock time, HH:MM:SS.uuuuuu. The
// text up to the second is cached: at a million packets it is the hot path.

export type TimestampStyle = 'local' | 'none' | 'epoch';

export class TimestampFormatter {
  private cachedSecond = -1;
  private cachedPrefix = '';

  constructor(private readonly style: TimestampStyle) {}

  format(seconds: number, micros: number): string {
    if (this.style === 'none') return '';
    const fraction = String(micros).padStart(6, '0');
    if (this.style === 'epoch') return `${seconds}.${fraction} `;
    if (seconds !== this.cachedSecond) {
      const date = new Date(seconds * 1000);
      const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
      this.cachedPrefix = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.`;
      this.cachedSecond = seconds;
    }
    return `${this.cachedPrefix}${fraction} `;
  }
}
