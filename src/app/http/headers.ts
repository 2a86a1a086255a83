export const JSON_TYPE = 'application/json; charset=utf-8';

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

/**
 * A deadline for every request: a handler still running after `ms` (a stalled database, a provider
 * slower than its own timeout) gets a 503 `{detail}` instead of holding the client until the socket
 * times out. The work itself goes on — every step is idempotent — and a late result is dropped.
 */
export function withDeadline(
  ms: number,
  headers: Readonly<Record<string, string>>,
  onTimeout: (request: Request) => string,
) {
  return (fn: (request: Request) => unknown) =>
    (request: Request): unknown => {
      const out = fn(request);
      if (!(out instanceof Promise)) return out;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<Response>((resolve) => {
        timer = setTimeout(() => {
          const requestId = onTimeout(request);
          resolve(
            new Response(JSON.stringify({ detail: '请求处理超时，请稍后重试' }), {
              status: 503,
              headers: {
                ...headers,
                'content-type': JSON_TYPE,
                'x-request-id': requestId,
                'retry-after': '1',
              },
            }),
          );
        }, ms);
      });
      return Promise.race([out, late]).finally(() => clearTimeout(timer));
    };
}
