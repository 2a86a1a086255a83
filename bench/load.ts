// A small closed-loop load generator: N workers, each awaiting one task at a time, first for a
// warm-up whose samples are thrown away, then for the measured window. A task resolves to an HTTP
// status (or 200 for a finished multi-request flow); a rejection counts as an error.

export interface LoadOptions {
  /** Concurrent workers (each one request or flow in flight at a time). */
  readonly connections: number;
  /** Length of the measured window, in seconds. */
  readonly seconds: number;
  /** Warm-up before the window, in seconds; its results are discarded. */
  readonly warmupSeconds: number;
  /** One unit of work for `worker` (0-based); resolves to a status code. */
  readonly task: (worker: number) => Promise<number>;
}

export interface LoadResult {
  readonly connections: number;
  /** Measured wall time: from the window's start until the last in-flight task finished. */
  readonly seconds: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Successful tasks per second. */
  readonly perSecond: number;
  /** Latency of successful tasks, milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
  /** The first error message seen, to explain a non-zero error count. */
  readonly firstError?: string;
}

/** Environment override for a positive number, else the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

interface Tally {
  ok: number;
  non2xx: number;
  errors: number;
  latencies: number[];
  firstError?: string;
}

async function phase(opts: LoadOptions, seconds: number): Promise<{ tally: Tally; elapsed: number }> {
  const tally: Tally = { ok: 0, non2xx: 0, errors: 0, latencies: [] };
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const status = await opts.task(w);
        if (status >= 200 && status < 300) {
          tally.ok++;
          tally.latencies.push(performance.now() - t0);
        } else {
          tally.non2xx++;
        }
      } catch (error) {
        tally.errors++;
        tally.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, w) => worker(w)));
  return { tally, elapsed: (performance.now() - start) / 1000 };
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (opts.warmupSeconds > 0) await phase(opts, opts.warmupSeconds);
  const { tally, elapsed } = await phase(opts, opts.seconds);
  const sorted = Float64Array.from(tally.latencies).sort();
  const sum = tally.latencies.reduce((a, b) => a + b, 0);
  return {
    connections: opts.connections,
    seconds: elapsed,
    ok: tally.ok,
    non2xx: tally.non2xx,
    errors: tally.errors,
    perSecond: tally.ok / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
  };
}

/**
 * A task that sends one request and reads the whole body (so the connection can be reused). The
 * returned `non2xx` counts statuses and keeps the first body of each, to explain failures.
 */
export function httpTask(make: (worker: number) => Request | Promise<Request>) {
  const non2xx = new Map<number, { count: number; sample: string }>();
  const task = async (worker: number): Promise<number> => {
    const res = await fetch(await make(worker));
    if (res.status >= 200 && res.status < 300) {
      await res.arrayBuffer();
    } else {
      const body = await res.text();
      const seen = non2xx.get(res.status);
      if (seen) seen.count++;
      else non2xx.set(res.status, { count: 1, sample: body.slice(0, 200) });
    }
    return res.status;
  };
  return { task, non2xx };
}
