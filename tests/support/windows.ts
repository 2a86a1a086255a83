/**
 * Rate limits count in fixed windows of wall-clock time (minutes since the epoch, days…). A burst
 * that straddles a window's end is counted in two windows and may pass twice the limit, which is
 * what the limit means — but not what a test asserting an exact count wants. This waits, when needed,
 * until at least `marginMs` of the current window of `seconds` remain.
 */
export async function clearOfWindowEdge(seconds = 60, marginMs = 5000): Promise<void> {
  const size = seconds * 1000;
  const left = size - (Date.now() % size);
  if (left < marginMs) await Bun.sleep(left + 50);
}
