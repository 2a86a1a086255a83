import type { Clock } from '../../domain/ports';

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand; `now()` returns a copy so callers cannot mutate it. */
export class FixedClock implements Clock {
  constructor(private at: Date = new Date('2023-07-01T04:00:00Z')) {}
  now(): Date {
    return new Date(this.at.getTime());
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
