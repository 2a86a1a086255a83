// What recording the order timeline costs a paying user: `bun bench/timeline-cost.ts` (env
// TIMELINE_COST_ROUNDS, default 200). FerretDB (temp dir) and the sandbox as in `bench/run.ts`; the
// app composed in this process twice over the same database — as configured (provider calls
// recorded) and with the provider port unwrapped — and the two timed *alternately*, request by
// request, so load from anything else on the machine falls on both alike. Prints a Markdown table.

import { apiEnv, BENCH_WITHOUT_LIMITS, localUrl, sandboxEnv } from '../scripts/local-env';
import { freePort } from '../scripts/net';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { createGatewayPayments } from '../src/adapters/payment/gateway/payments';
import { loadConfig } from '../src/app/config';
import { compose } from '../src/app/container';
import { createApp } from '../src/app/http/create-app';
import { CALLBACK_SECRET } from './config';
import { envNumber } from './load';
import { onCleanup, runBench, spawn, startDb, waitHealthy } from './processes';

const ROUNDS = Math.round(envNumber('TIMELINE_COST_ROUNDS', 200));

type App = ReturnType<typeof createApp>;

async function main(): Promise<string> {
  const ferret = await startDb();
  const mongoUri = `${ferret.mongoUri}/timeline_cost`;
  await prepareDatabase(mongoUri, ferret.postgresUrl);
  const [apiPort, sandboxPort] = [await freePort(), await freePort()];
  const pair = { apiPort, sandboxPort, mongoUri, callbackSecret: CALLBACK_SECRET };
  const sandbox = localUrl(sandboxPort);
  const sandboxProc = spawn('sandbox', 'src/adapters/sandbox/main.ts', sandboxEnv(pair));
  await waitHealthy(sandbox, sandboxProc, 'sandbox');
  const conn = await connectMongo(mongoUri);
  onCleanup(() => conn.close());
  const env = {
    ...apiEnv(pair),
    ...BENCH_WITHOUT_LIMITS,
    RECONCILE_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const { deps } = await compose(config, env, conn);
  const recorded = createApp(deps);
  const unrecorded = createApp({
    ...deps,
    payments: createGatewayPayments({ baseUrl: config.gateway.url, timeoutMs: config.gateway.timeoutMs }),
  });

  const call = async (app: App, method: string, path: string, token?: string, body?: unknown) => {
    const res = await app.handle(
      new Request(`http://bench.local${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const token = (await call(recorded, 'POST', '/api/auth/login', undefined, { code: 'timeline-cost' }))
    .access_token as string;
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const samples = {
    recorded: { create: [] as number[], pay: [] as number[] },
    unrecorded: { create: [] as number[], pay: [] as number[] },
  };
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, app] of (i % 2 === 0
      ? [
          ['recorded', recorded],
          ['unrecorded', unrecorded],
        ]
      : [
          ['unrecorded', unrecorded],
          ['recorded', recorded],
        ]) as [keyof typeof samples, App][]) {
      let id = 0;
      samples[name].create.push(
        await timed(async () => {
          id = (await call(app, 'POST', '/api/orders/create', token, { product_id: 1 })).order_id as number;
        }),
      );
      samples[name].pay.push(await timed(() => call(app, 'POST', `/api/orders/pay/${id}`, token)));
    }
  }
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
  };
  const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
  const rows = (['unrecorded', 'recorded'] as const).flatMap((name) =>
    (['create', 'pay'] as const).map(
      (step) =>
        `| ${step === 'create' ? 'POST /api/orders/create' : 'POST /api/orders/pay/{id}'} | ${name === 'recorded' ? 'timeline recorded' : 'provider port unwrapped'} | ${mean(samples[name][step])} | ${pct(samples[name][step], 50)} | ${pct(samples[name][step], 90)} | ${pct(samples[name][step], 99)} |`,
    ),
  );
  return [
    `Sequential, in-process app over FerretDB, ${ROUNDS} orders each, alternating (ms):`,
    '',
    '| request | provider calls | mean | p50 | p90 | p99 |',
    '|---|---|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

await runBench(async () => console.log(await main()));
