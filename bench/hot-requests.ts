// The hot requests of a mini-program session, one definition shared by the scale benchmark (which
// times them) and tests/scale/explain.test.ts (which checks every query they run uses an index).
import { SIGNATURE_HEADER, signGatewayPayload } from '../src/adapters/payment/gateway/signature';

export type Json = Record<string, unknown>;

/** Sends one request and returns the parsed body; throws on anything but 200. */
export type Call = (
  method: string,
  path: string,
  opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
) => Promise<Json>;

/** Runs `fn` as the named hot request (the caller times it, or watches the queries it sends). */
export type Step = (name: string, fn: () => Promise<unknown>) => Promise<void>;

export const HOT_REQUESTS = [
  'login (returning user)',
  'GET /api/users/me',
  'GET /api/products/',
  'GET /api/products/{id}',
  'POST /api/orders/create',
  'POST /api/orders/pay/{id}',
  'GET /api/orders/payment-status/{id} (pending)',
  'POST /api/orders/callback (first)',
  'GET /api/orders/payment-status/{id} (settled)',
  'POST /api/orders/callback (duplicate)',
  'GET /api/orders/',
  'GET /api/credits/transactions',
  'POST /api/credits/consume',
] as const;
export type HotRequest = (typeof HOT_REQUESTS)[number];

/** An HTTP `Call` against a running API. */
export function httpCall(base: string): Call {
  return async (method, path, opts = {}) => {
    const hasBody = opts.body !== undefined || opts.raw !== undefined;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as Json;
  };
}

let logins = 0;

/**
 * One pass over every hot request, as user `code` buying product 1 through the gateway provider and
 * its sandbox at `sandbox` (callbacks signed with `callbackSecret`, delivered here, not by the sandbox).
 */
export async function hotRequests(
  call: Call,
  sandbox: string,
  callbackSecret: string,
  code: string,
  step: Step,
): Promise<void> {
  // Fresh codes of one sandbox user (`name.nonce`): the API takes each wx.login() code once.
  await call('POST', '/api/auth/login', { body: { code: `${code}.${++logins}` } }); // creates the user: not hot
  let token = '';
  await step('login (returning user)', async () => {
    token = (await call('POST', '/api/auth/login', { body: { code: `${code}.${++logins}` } }))
      .access_token as string;
  });
  await step('GET /api/users/me', () => call('GET', '/api/users/me', { token }));
  await step('GET /api/products/', () => call('GET', '/api/products/'));
  await step('GET /api/products/{id}', () => call('GET', '/api/products/1'));
  let order: Json = {};
  await step('POST /api/orders/create', async () => {
    order = await call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
  });
  const id = order.order_id as number;
  const orderNo = order.order_no as string;
  await step('POST /api/orders/pay/{id}', () => call('POST', `/api/orders/pay/${id}`, { token }));
  await step('GET /api/orders/payment-status/{id} (pending)', () =>
    call('GET', `/api/orders/payment-status/${id}`, { token }),
  );
  // The customer pays; the sandbox's own callback is suppressed so the step below is the first one.
  const paid = await fetch(`${sandbox}/sandbox/trades/${orderNo}/pay?notify=false`, { method: 'POST' });
  if (!paid.ok) throw new Error(`sandbox pay ${orderNo}: ${paid.status} ${await paid.text()}`);
  const trade = (await (await fetch(`${sandbox}/sandbox/trades/${orderNo}`)).json()) as Json;
  const paymentId = (trade.transaction_id ?? (trade.trade as Json | undefined)?.transaction_id) as string;
  const raw = JSON.stringify({ order_no: orderNo, payment_id: paymentId, status: 'SUCCESS', amount: 9.9 });
  const callback = () =>
    call('POST', '/api/orders/callback', {
      raw,
      headers: { [SIGNATURE_HEADER]: signGatewayPayload(callbackSecret, raw, Math.floor(Date.now() / 1000)) },
    });
  await step('POST /api/orders/callback (first)', callback);
  await step('GET /api/orders/payment-status/{id} (settled)', async () => {
    const status = await call('GET', `/api/orders/payment-status/${id}`, { token });
    if (status.status !== 'completed') throw new Error(`order ${id} is ${status.status}, expected completed`);
  });
  await step('POST /api/orders/callback (duplicate)', callback);
  await step('GET /api/orders/', () => call('GET', '/api/orders/', { token }));
  await step('GET /api/credits/transactions', () => call('GET', '/api/credits/transactions', { token }));
  await step('POST /api/credits/consume', () =>
    call('POST', '/api/credits/consume', {
      token,
      body: { amount: 1, description: '压测消费', idempotency_key: `hot-${orderNo}` },
    }),
  );
}
