// Database commands per request. The app is composed in this process on a connection with
// `monitorCommands`, so each command can be attributed to the one request in flight, which a
// separate server process under load could not offer.
import mongoose, { type Connection } from 'mongoose';
import { BENCH_WITHOUT_LIMITS } from '../scripts/local-env';
import { SIGNATURE_HEADER, signGatewayPayload } from '../src/adapters/payment/gateway/signature';
import { loadConfig } from '../src/app/config';
import { compose } from '../src/app/container';
import type { Json } from './client';
import { CALLBACK_SECRET, DB_SAMPLES } from './config';
import { onCleanup } from './processes';

export interface CommandCount {
  name: string;
  samples: number;
  total: number;
  byCommand: Map<string, number>;
}

export async function countCommands(mongoUri: string, sandbox: string): Promise<CommandCount[]> {
  // connectMongo's options plus monitorCommands, which it does not expose.
  const conn: Connection = mongoose.createConnection(mongoUri, {
    autoIndex: true,
    autoCreate: true,
    sanitizeFilter: true,
    serverSelectionTimeoutMS: 10_000,
    monitorCommands: true,
  });
  onCleanup(() => conn.close());
  await conn.asPromise();
  let recording: string[] | undefined;
  conn.getClient().on('commandStarted', (e) => {
    const target = (e.command as Record<string, unknown>)[e.commandName];
    recording?.push(typeof target === 'string' ? `${e.commandName}(${target})` : e.commandName);
  });
  const env = {
    NODE_ENV: 'test',
    MONGODB_URI: mongoUri,
    GATEWAY_URL: sandbox,
    WECHAT_API_BASE: sandbox,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9', // nothing calls back here: callbacks are sent by hand
    GATEWAY_CALLBACK_SECRET: CALLBACK_SECRET,
    ...BENCH_WITHOUT_LIMITS,
  };
  const { app } = await compose(loadConfig(env), env, conn);

  const handle = async (
    method: string,
    url: string,
    opts: { token?: string; body?: string; headers?: Json } = {},
  ) => {
    const res = await app.handle(
      new Request(`http://bench.local${url}`, {
        method,
        headers: {
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.headers as Record<string, string> | undefined),
        },
        body: opts.body,
      }),
    );
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as Json;
  };
  const results: CommandCount[] = [];
  /** Runs `fn` once per sample, counting the commands each one sends (and any it leaves behind). */
  const measure = async <T>(name: string, inputs: readonly T[], fn: (input: T) => Promise<unknown>) => {
    const byCommand = new Map<string, number>();
    let total = 0;
    for (const input of inputs) {
      const seen: string[] = [];
      recording = seen;
      await fn(input);
      await Bun.sleep(5); // catch fire-and-forget work that outlives the response
      recording = undefined;
      total += seen.length;
      for (const c of seen) byCommand.set(c, (byCommand.get(c) ?? 0) + 1);
    }
    results.push({ name, samples: inputs.length, total, byCommand });
  };
  const n = Array.from({ length: DB_SAMPLES }, (_, i) => i);

  const token = (await handle('POST', '/api/auth/login', { body: JSON.stringify({ code: 'bench_db' }) }))
    .access_token as string;
  await measure('GET /api/products/ (first request, cache miss)', [0], () => handle('GET', '/api/products/'));
  await measure('GET /api/products/ (cached)', n, () => handle('GET', '/api/products/'));
  const orders: { id: number; no: string }[] = [];
  await measure('POST /api/orders/create', n, async () => {
    const o = await handle('POST', '/api/orders/create', { token, body: JSON.stringify({ product_id: 1 }) });
    orders.push({ id: o.order_id as number, no: o.order_no as string });
  });
  await measure('POST /api/orders/pay/{id} (+1 HTTP call to the sandbox)', orders, (o) =>
    handle('POST', `/api/orders/pay/${o.id}`, { token }),
  );
  // The customer pays; the sandbox's own callback is suppressed so we deliver (and count) it here.
  const callbacks = new Map<number, string>();
  for (const o of orders) {
    const paid = await fetch(`${sandbox}/sandbox/trades/${o.no}/pay?notify=false`, { method: 'POST' });
    if (!paid.ok) throw new Error(`sandbox pay ${o.no}: ${paid.status} ${await paid.text()}`);
    const trade = (await (await fetch(`${sandbox}/sandbox/trades/${o.no}`)).json()) as Json;
    const paymentId = (trade.transaction_id ?? (trade.trade as Json | undefined)?.transaction_id) as string;
    if (typeof paymentId !== 'string') throw new Error(`no transaction_id in ${JSON.stringify(trade)}`);
    callbacks.set(
      o.id,
      JSON.stringify({ order_no: o.no, payment_id: paymentId, status: 'SUCCESS', amount: 9.9 }),
    );
  }
  const sendCallback = (o: { id: number }) => {
    const raw = callbacks.get(o.id) as string;
    const sig = signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000));
    return handle('POST', '/api/orders/callback', { body: raw, headers: { [SIGNATURE_HEADER]: sig } });
  };
  await measure('POST /api/orders/callback (first, settles + grants)', orders, sendCallback);
  await measure('GET /api/orders/payment-status/{id} (settled order)', orders, async (o) => {
    const st = await handle('GET', `/api/orders/payment-status/${o.id}`, { token });
    if (st.status !== 'completed') throw new Error(`order ${o.id} is ${st.status}, expected completed`);
  });
  await measure('POST /api/orders/callback (duplicate, order already completed)', orders, sendCallback);
  const me = await handle('GET', '/api/users/me', { token });
  if (me.credits !== 100 * orders.length)
    throw new Error(`in-process user has ${me.credits} credits, expected ${100 * orders.length}`);
  return results;
}
