/** How long one answer stands: /ready is polled by every load balancer, the provider must not be. */
const CACHE_MS = 5000;
/** A "down" is asked again sooner: a provider that just came back should not wait out the cache. */
const DOWN_CACHE_MS = 1000;
const TIMEOUT_MS = 2000;

/**
 * Whether the payment provider can be reached: any HTTP answer from its base URL counts (a 404 or
 * 401 still proves DNS, TCP and TLS work); a network error or timeout does not. No credentials are
 * sent, and only one probe is in flight at a time.
 */
export function probeReachable(
  baseUrl: string,
  opts: { fetch?: typeof fetch; now?: () => number; timeoutMs?: number } = {},
): () => Promise<boolean> {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  let last: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;
  return () => {
    if (last && now() - last.at < (last.ok ? CACHE_MS : DOWN_CACHE_MS)) return Promise.resolve(last.ok);
    inFlight ??= doFetch(`${baseUrl}/`, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
    })
      .then(async (res) => {
        await res.body?.cancel();
        return true;
      })
      .catch(() => false)
      .then((ok) => {
        last = { at: now(), ok };
        inFlight = undefined;
        return ok;
      });
    return inFlight;
  };
}
