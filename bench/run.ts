// Benchmarks on this machine, in one run: `bun bench/run.ts` (env BENCH_CONNECTIONS, BENCH_SECONDS,
// BENCH_FLOWS). Starts FerretDB (temp data dir), the sandbox and the API as real processes, exactly
// like tests/e2e/stack.ts, plus a bare Bun.serve baseline; prints a Markdown report and writes it
// into the "Results" section of docs/benchmarks.md. Every process and temp dir is removed at the end.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Subprocess } from 'bun';
import mongoose, { type Connection } from 'mongoose';
import { buildFerret, type Ferret, startFerret } from '../scripts/ferretdb';
import { freePort } from '../scripts/net';
import { SIGNATURE_HEADER, signGatewayPayload } from '../src/adapters/payment/gateway/signature';
import { loadConfig } from '../src/app/config';
import { compose } from '../src/app/container';
import { envNumber, httpTask, type LoadResult, runLoad } from './load';

const ROOT = path.resolve(import.meta.dir, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const CALLBACK_SECRET = 'bench-gateway-callback-secret';
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 32));
const SECONDS = envNumber('BENCH_SECONDS', 5);
const FLOWS = Math.round(envNumber('BENCH_FLOWS', 8));
const WARMUP_SECONDS = 1;
const USERS = 8; // logged-in users sharing the create-order load
const DB_SAMPLES = 20; // requests per type in the command count

// ---------------------------------------------------------------- process and temp-dir cleanup

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error('cleanup:', error);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));

function spawn(name: string, entry: string, env: Record<string, string>): Subprocess {
  const log = path.join(tmp, `${name}.log`);
  const proc = Bun.spawn([process.execPath, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    // Straight to a file: reading pipes here would take CPU from the load generator.
    stdout: Bun.file(log),
    stderr: Bun.file(`${log}.err`),
  });
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
    }
  });
  return proc;
}

function tail(name: string): string {
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  const file = path.join(tmp, `${name}.log`);
  return `${read(file)}${read(`${file}.err`)}`.split('\n').slice(-20).join('\n');
}

async function waitHealthy(url: string, proc: Subprocess, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${tail(name)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`${name} not healthy at ${url} within 20 s:\n${tail(name)}`);
}

async function startDb(): Promise<Ferret> {
  buildFerret();
  const dataDir = path.join(tmp, 'ferretdb');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const ferret = await startFerret({ port: await freePort(), dataDir });
      cleanups.push(() => ferret.stop());
      return ferret;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------- a tiny mini-program client

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  urlPath: string,
  opts: { token?: string; body?: unknown } = {},
) {
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

async function login(api: string, code: string): Promise<string> {
  const res = await call(api, 'POST', '/api/auth/login', { body: { code } });
  if (res.status !== 200) throw new Error(`login ${code} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

const requestPaymentArgs = (d: Json) => ({
  timeStamp: d.timeStamp,
  nonceStr: d.nonceStr,
  package: d.packageValue,
  signType: d.signType,
  paySign: d.paySign,
});

/** create → pay → wx.requestPayment in the sandbox → poll payment-status until completed. */
async function purchaseFlow(api: string, sandbox: string, token: string): Promise<void> {
  const created = await call(api, 'POST', '/api/orders/create', { token, body: { product_id: 1 } });
  if (created.status !== 200) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const orderId = created.body.order_id as number;
  const pay = await call(api, 'POST', `/api/orders/pay/${orderId}`, { token });
  if (pay.status !== 200) throw new Error(`pay: ${pay.status} ${JSON.stringify(pay.body)}`);
  const wx = await call(sandbox, 'POST', '/sandbox/request-payment', {
    body: requestPaymentArgs(pay.body.payment_data as Json),
  });
  if (wx.status !== 200) throw new Error(`requestPayment: ${wx.status} ${JSON.stringify(wx.body)}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const st = await call(api, 'GET', `/api/orders/payment-status/${orderId}`, { token });
    if (st.status === 200 && st.body.status === 'completed') return;
    if (st.status !== 200 || (st.body.status !== 'pending' && st.body.status !== 'paid'))
      throw new Error(`payment-status: ${st.status} ${JSON.stringify(st.body)}`);
    if (Date.now() > deadline) throw new Error(`order ${orderId} not completed within 10 s`);
    await Bun.sleep(10);
  }
}

// ---------------------------------------------------------------- formatting

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

function loadRow(name: string, r: LoadResult, unit = 'req/s'): string {
  return `| ${name} | ${r.connections} | **${f0(r.perSecond)}** ${unit} | ${f2(r.p50)} | ${f2(r.p99)} | ${f2(r.max)} | ${r.ok} | ${r.non2xx} | ${r.errors} |`;
}
const LOAD_HEADER = [
  '| target | concurrency | throughput | p50 ms | p99 ms | max ms | ok | non-2xx | errors |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
];

function explainErrors(
  name: string,
  r: LoadResult,
  non2xx: ReadonlyMap<number, { count: number; sample: string }> = new Map(),
): string[] {
  return [
    ...(r.firstError ? [`- ${name}: first error: \`${r.firstError.slice(0, 200)}\``] : []),
    ...[...non2xx].map(([status, s]) => `- ${name}: ${s.count}× HTTP ${status}, e.g. \`${s.sample}\``),
  ];
}

// ---------------------------------------------------------------- part 4: DB commands per request

interface CommandCount {
  name: string;
  samples: number;
  total: number;
  byCommand: Map<string, number>;
}

async function countCommands(mongoUri: string, sandbox: string): Promise<CommandCount[]> {
  // connectMongo's options plus monitorCommands, which it does not expose.
  const conn: Connection = mongoose.createConnection(mongoUri, {
    autoIndex: true,
    autoCreate: true,
    sanitizeFilter: true,
    serverSelectionTimeoutMS: 10_000,
    monitorCommands: true,
  });
  cleanups.push(() => conn.close());
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

// ---------------------------------------------------------------- the run

async function main(): Promise<string> {
  const started = Date.now();
  const ferret = await startDb();
  const mongoUri = `${ferret.uri}/bench_${Math.random().toString(36).slice(2, 10)}`;
  const [apiPort, sandboxPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const sandbox = `http://127.0.0.1:${sandboxPort}`;
  const bare = `http://127.0.0.1:${barePort}`;
  const sandboxProc = spawn('sandbox', 'src/adapters/sandbox/main.ts', {
    SANDBOX_PORT: String(sandboxPort),
    GATEWAY_CALLBACK_SECRET: CALLBACK_SECRET,
    SANDBOX_TIME_SCALE: '0.001',
  });
  const apiProc = spawn('api', 'src/app/main.ts', {
    NODE_ENV: 'test',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    MONGODB_URI: mongoUri,
    GATEWAY_URL: sandbox,
    WECHAT_API_BASE: sandbox,
    PUBLIC_BASE_URL: api,
    GATEWAY_CALLBACK_SECRET: CALLBACK_SECRET,
  });
  await Promise.all([waitHealthy(sandbox, sandboxProc, 'sandbox'), waitHealthy(api, apiProc, 'api')]);

  // 1. Cached catalog vs a bare Bun.serve answering with the very same bytes.
  const first = await fetch(`${api}/api/products/`);
  const bodyFile = path.join(tmp, 'products.json');
  fs.writeFileSync(bodyFile, Buffer.from(await first.arrayBuffer()));
  const bareProc = spawn('bare', 'bench/bare-server.ts', {
    BARE_PORT: String(barePort),
    BARE_BODY_FILE: bodyFile,
    BARE_CONTENT_TYPE: first.headers.get('content-type') ?? 'application/json',
  });
  await waitHealthy(bare, bareProc, 'bare');
  const bareBody = await (await fetch(`${bare}/api/products/`)).text();
  if (bareBody !== fs.readFileSync(bodyFile, 'utf8'))
    throw new Error('bare server body differs from the API');

  const load = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS };
  console.error(`products: API (${CONNECTIONS} connections, ${WARMUP_SECONDS}+${SECONDS} s)…`);
  const apiHttp = httpTask(() => new Request(`${api}/api/products/`));
  const apiProducts = await runLoad({ ...load, task: apiHttp.task });
  console.error('products: bare Bun.serve…');
  const bareHttp = httpTask(() => new Request(`${bare}/api/products/`));
  const bareProducts = await runLoad({ ...load, task: bareHttp.task });
  bareProc.kill('SIGTERM');
  await bareProc.exited;

  // 3. Full purchase flows, one user per concurrent flow so the credits can be checked per user.
  // Run before the create-order load: FerretDB's SQLite backend scans collections, so thousands of
  // extra orders would measure the test database's scans rather than this service.
  const payers = await Promise.all(Array.from({ length: FLOWS }, (_, i) => login(api, `bench_payer_${i}`)));
  const completed = new Array<number>(FLOWS).fill(0);
  console.error(`purchase flows (${FLOWS} concurrent)…`);
  const flows = await runLoad({
    connections: FLOWS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    task: async (w) => {
      await purchaseFlow(api, sandbox, payers[w] as string);
      completed[w] = (completed[w] ?? 0) + 1;
      return 200;
    },
  });
  await Bun.sleep(200); // let a late callback of a failed flow land before checking
  const balances = await Promise.all(
    payers.map(async (token) => (await call(api, 'GET', '/api/users/me', { token })).body.credits as number),
  );
  const mismatches = balances
    .map((credits, i) => ({ user: `bench_payer_${i}`, credits, expected: 100 * (completed[i] ?? 0) }))
    .filter((b) => b.credits !== b.expected);

  // 2. Create-order throughput, spread over a handful of users.
  const buyers = await Promise.all(Array.from({ length: USERS }, (_, i) => login(api, `bench_buyer_${i}`)));
  console.error('create order…');
  const body = JSON.stringify({ product_id: 1 });
  const createRequest = (w: number) =>
    new Request(`${api}/api/orders/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${buyers[w % USERS]}` },
      body,
    });
  const createHttp = httpTask(createRequest);
  const createOrders = await runLoad({ ...load, task: createHttp.task });
  // The same with one connection: shows whether the concurrent number is CPU- or contention-bound.
  console.error('create order, 1 connection…');
  const createSerialHttp = httpTask(createRequest);
  const createSerial = await runLoad({ ...load, connections: 1, task: createSerialHttp.task });

  // 4. Database commands per request, with the app composed in this process.
  console.error('database commands per request…');
  apiProc.kill('SIGTERM'); // not needed any more; the in-process app uses the same DB and sandbox
  await apiProc.exited;
  const commands = await countCommands(mongoUri, sandbox);

  // ------------------------------------------------------------ report
  const bunVersion = Bun.version;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let nproc = String(os.cpus().length);
  try {
    nproc = execSync('nproc').toString().trim();
  } catch {}
  const totalFlows = completed.reduce((a, b) => a + b, 0);
  const lines = [
    '## Results',
    '',
    `Run on ${new Date().toISOString()} · nproc ${nproc} (${cpu}) · bun ${bunVersion} · ${os.type()} ${os.release()} · ` +
      `FerretDB (SQLite) · loader in the same process tree, on the same cores · took ${f0((Date.now() - started) / 1000)} s.`,
    '',
    `### 1–2. Requests (closed loop, ${CONNECTIONS} concurrent, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured)`,
    '',
    ...LOAD_HEADER,
    loadRow('bare `Bun.serve`, same JSON bytes', bareProducts),
    loadRow('API `GET /api/products/` (cached)', apiProducts),
    loadRow(`API \`POST /api/orders/create\` (${USERS} users)`, createOrders),
    loadRow('API `POST /api/orders/create`, one connection', createSerial),
    '',
    `API / bare for the cached catalog: **${f2(apiProducts.perSecond / bareProducts.perSecond)}×** the throughput ` +
      `(${f0(apiProducts.perSecond)} vs ${f0(bareProducts.perSecond)} req/s), ` +
      `p50 ${f2(apiProducts.p50)} vs ${f2(bareProducts.p50)} ms.`,
    ...explainErrors('catalog (API)', apiProducts, apiHttp.non2xx),
    ...explainErrors('bare', bareProducts, bareHttp.non2xx),
    ...explainErrors(`create order (${CONNECTIONS} connections)`, createOrders, createHttp.non2xx),
    ...explainErrors('create order (1 connection)', createSerial, createSerialHttp.non2xx),
    '',
    `### 3. Purchase flows (${FLOWS} concurrent, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured)`,
    '',
    'create → pay → sandbox `request-payment` (which sends the signed callback) → poll `payment-status` every 10 ms until `completed`.',
    '',
    ...LOAD_HEADER,
    loadRow('full purchase flow', flows, 'flows/s'),
    '',
    ...explainErrors('flow', flows),
    mismatches.length === 0
      ? `Credits check: **OK** — each of the ${FLOWS} users has 100 × their completed flows (${totalFlows} flows incl. warm-up, ${100 * totalFlows} credits in total).`
      : `Credits check: **MISMATCH** — ${mismatches.map((m) => `${m.user}: ${m.credits} credits, expected ${m.expected}`).join('; ')}` +
        (flows.errors > 0
          ? ' (a flow that errored or timed out may still have been paid and granted).'
          : '.'),
    '',
    `### 4. Database commands per request (in-process app, \`monitorCommands\`, ${DB_SAMPLES} requests each)`,
    '',
    '| request | commands / request | commands (average per request) |',
    '|---|--:|---|',
    ...commands.map((c) => {
      const detail = [...c.byCommand.entries()]
        .map(
          ([name, count]) =>
            `${name}×${Number.isInteger(count / c.samples) ? count / c.samples : f1(count / c.samples)}`,
        )
        .join(', ');
      return `| ${c.name} | **${Number.isInteger(c.total / c.samples) ? c.total / c.samples : f1(c.total / c.samples)}** | ${detail || '—'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

const DEFAULT_HEADER = `# Benchmarks

\`bun bench/run.ts\` (or \`npm run bench\`) measures, in one run of about a minute on the
machine it runs on, and rewrites the **Results** section below (everything above it is kept).
Knobs: \`BENCH_CONNECTIONS\` (default 32), \`BENCH_SECONDS\` (5 per target), \`BENCH_FLOWS\` (8).

**Method.** Like the end-to-end tests (\`tests/e2e/stack.ts\`): FerretDB on a free port with a temporary
data folder, the sandbox and the API started as \`bun <entry>\` child processes with
\`NODE_ENV=test\` and the default \`CATALOG_CACHE_SECONDS=5\` (so the catalog is served from memory).
The baseline is \`bench/bare-server.ts\`, a bare \`Bun.serve\` child answering the very bytes the
API returned. \`bench/load.ts\` is a closed-loop generator: N workers each await one request (or one
whole purchase flow) at a time, for 1 s of warm-up (discarded) and then the measured window;
latencies are of successful requests only. Database commands are counted by composing the app in
the bench process on a mongoose connection with \`monitorCommands: true\` and calling
\`app.handle(new Request(…))\` one request at a time.

**How to read it.** The machine and date are at the top of Results. The load generator runs in the
bench process **on the same cores** as the server(s) under test (and FerretDB and the sandbox), so
absolute numbers are a lower bound and mostly useful relative to each other: the API/bare ratio
shows the framework + app overhead per request; with a closed loop, throughput ≈ concurrency /
latency. The flow numbers include the work of three processes per flow (API, sandbox,
FerretDB). Commands per request are exact counts (they do not depend on the machine): each
command is a round-trip to the database, which dominates the cost of uncached requests.

**Caveat: order matters.** The phases run in the order shown, on one database. FerretDB 1.24 on
SQLite answered every filter tried here by scanning the collection (even a \`findOne\` by \`_id\`:
~3 ms with 100 documents, ~86 ms with 5 000 on the 2-core machine), so the orders created by the
create-order phases make the purchase flows that follow slower. Writes also contend (one SQLite
writer, and \`$inc\` retries on duplicate order ids): compare the 32-connection and 1-connection
create-order rows.

`;

async function writeDoc(results: string): Promise<void> {
  const existing = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const at = existing.indexOf('## Results');
  const header =
    at >= 0 ? existing.slice(0, at) : existing.trim() ? `${existing.trimEnd()}\n\n` : DEFAULT_HEADER;
  fs.writeFileSync(DOC, `${header}${results}`);
}

let exitCode = 0;
try {
  const results = await main();
  console.log(results);
  await writeDoc(results);
  console.error(`written to ${path.relative(process.cwd(), DOC)}`);
} catch (error) {
  console.error('bench failed:', error);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
