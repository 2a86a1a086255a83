/**
 * `http_requests_total` and `http_request_duration_seconds`, counted per request in plain numbers and
 * turned into Prometheus series only when /metrics is read. prom-client's own counter and histogram
 * hash their label object on every call (validation, key sort, string build): on a cached catalog
 * request that was 5 % of the API's CPU samples, more than the catalog lookup itself. Here a request
 * costs one Map lookup by a string key and a few increments.
 */

/** Latency of one method and route, all statuses together (the histogram's labels). */
interface Latency {
  readonly method: string;
  readonly route: string;
  count: number;
  sum: number;
  /** Observations per bucket, not cumulative (`le` counts are summed at export). */
  readonly perBucket: Float64Array;
}

/** Requests of one method, route and status (the counter's labels), and where their latency goes. */
interface Series {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  count: number;
  readonly latency: Latency;
}

/** What prom-client's Registry reads from a metric: `get()` with these fields (its own types are internal). */
interface MetricValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}
export interface CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] };
}

/** A metric whose series are computed when the registry reads it. */
const collected = (
  name: string,
  help: string,
  type: CollectedMetric['type'],
  values: () => MetricValue[],
): CollectedMetric => ({
  name,
  help,
  type,
  aggregator: 'sum',
  get: () => ({ name, help, type, aggregator: 'sum', values: values() }),
});

export class HttpStats {
  private readonly series = new Map<string, Series>();
  private readonly latencies = new Map<string, Latency>();
  private served = 0;

  constructor(private readonly buckets: readonly number[]) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { method, route, status, count: 0, latency: this.latencyOf(method, route) };
      this.series.set(key, s);
    }
    s.count++;
    const l = s.latency;
    l.count++;
    l.sum += seconds;
    const b = this.buckets;
    let i = 0;
    while (i < b.length && seconds > (b[i] as number)) i++;
    // Above the last bound: counted only in +Inf (that is, `count`).
    if (i < b.length) l.perBucket[i] = (l.perBucket[i] as number) + 1;
    this.served++;
  }

  private latencyOf(method: string, route: string): Latency {
    const key = `${method} ${route}`;
    let l = this.latencies.get(key);
    if (l === undefined) {
      l = { method, route, count: 0, sum: 0, perBucket: new Float64Array(this.buckets.length) };
      this.latencies.set(key, l);
    }
    return l;
  }

  /** Requests answered since start (the idle collector asks whether any finished). */
  total(): number {
    return this.served;
  }

  /** The counter, as prom-client's registry reads one. */
  requestsMetric(): CollectedMetric {
    return collected(
      'http_requests_total',
      'HTTP requests by method, route pattern and status',
      'counter',
      () =>
        [...this.series.values()].map((s) => ({
          value: s.count,
          labels: { method: s.method, route: s.route, status: s.status },
        })),
    );
  }

  /** The latency histogram by method and route (statuses summed), as prom-client's registry reads one. */
  durationMetric(): CollectedMetric {
    const name = 'http_request_duration_seconds';
    return collected(name, 'HTTP request latency by method and route pattern', 'histogram', () =>
      this.durationValues(name),
    );
  }

  private durationValues(name: string): MetricValue[] {
    const values: MetricValue[] = [];
    for (const r of this.latencies.values()) {
      const labels = { method: r.method, route: r.route };
      // `le` first, as prom-client writes it.
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += r.perBucket[i] as number;
        values.push({ value: cumulative, labels: { le, ...labels }, metricName: `${name}_bucket` });
      });
      values.push({ value: r.count, labels: { le: '+Inf', ...labels }, metricName: `${name}_bucket` });
      values.push({ value: r.sum, labels, metricName: `${name}_sum` });
      values.push({ value: r.count, labels, metricName: `${name}_count` });
    }
    return values;
  }
}
