/**
 * The fixed window of `windowSeconds` (aligned to the epoch) that holds `now`: its start and end in
 * milliseconds. Fixed windows are coarse — up to twice a limit can pass around a boundary — but each
 * needs no more than one record per use, and every instance agrees on them without talking.
 */
export function windowOf(now: Date, windowSeconds: number): { start: number; end: number } {
  const size = windowSeconds * 1000;
  const start = Math.floor(now.getTime() / size) * size;
  return { start, end: start + size };
}

/** Whole seconds until the window that holds `now` ends (at least 1): the Retry-After of a refusal. */
export const secondsLeft = (now: Date, windowSeconds: number): number =>
  Math.max(1, Math.ceil((windowOf(now, windowSeconds).end - now.getTime()) / 1000));
