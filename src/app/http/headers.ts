/** Elysia's own spelling, so a response it serialises and one we build carry the same header. */
export const JSON_TYPE = 'application/json;charset=utf-8';

/**
 * Sent with every response, built once: Elysia copies this object into each request's `set.headers`
 * (and the catalog's pre-built responses spread it), so it costs no hook. `no-store` everywhere:
 * tokens, balances and orders must never sit in a shared cache, and the public catalog loses nothing
 * (the mini-program does not cache HTTP). The CSP forbids everything a JSON API never needs; the
 * Swagger page brings its own.
 */
export function securityHeaders(opts: { readonly https: boolean }): Readonly<Record<string, string>> {
  return {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    // Only where the public origin is HTTPS: a browser ignores it over plain HTTP anyway.
    ...(opts.https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/** What the Swagger page (our own HTML, scripts and styles from /swagger/assets) may load. */
export const SWAGGER_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** The catalog and the health check: no work to wait for while the catalog is cached. */
function exempt(request: Request): boolean {
  if (request.method !== 'GET') return false;
  const url = request.url;
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return url.startsWith('/api/products', path) || url.startsWith('/health', path);
}

interface InFlight {
  readonly since: number;
  readonly request: Request;
  readonly resolve: (response: Response) => void;
}

/**
 * A deadline for every request: a handler still running after `ms` (a stalled database, a provider
 * slower than its own timeout) gets a 503 `{detail}` instead of holding the client until the socket
 * times out. The work itself goes on — every step is idempotent — and a late result is dropped.
 * One interval watches every request in flight (a timer per request cost a few microseconds each),
 * and only while any is; the cached catalog and /health, which wait for nothing, skip it entirely.
 */
export function withDeadline(
  ms: number,
  headers: Readonly<Record<string, string>>,
  onTimeout: (request: Request) => string,
) {
  const inflight = new Set<InFlight>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let now = 0;
  const check = () => {
    now = Date.now();
    for (const e of inflight) {
      if (now - e.since < ms) continue;
      inflight.delete(e);
      e.resolve(
        new Response(JSON.stringify({ detail: '请求处理超时，请稍后重试' }), {
          status: 503,
          headers: {
            ...headers,
            'content-type': JSON_TYPE,
            'x-request-id': onTimeout(e.request),
            'retry-after': '1',
          },
        }),
      );
    }
    if (inflight.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return (fn: (request: Request) => unknown) =>
    (request: Request): unknown => {
      if (exempt(request)) return fn(request);
      const out = fn(request);
      if (!(out instanceof Promise)) return out;
      return new Promise<unknown>((resolve, reject) => {
        if (timer === undefined) {
          now = Date.now();
          timer = setInterval(check, Math.min(ms, 500));
          timer.unref?.();
        }
        const entry: InFlight = { since: now, request, resolve };
        inflight.add(entry);
        out.then(
          (response) => {
            inflight.delete(entry);
            resolve(response);
          },
          (error) => {
            inflight.delete(entry);
            reject(error);
          },
        );
      });
    };
}
