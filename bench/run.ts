// Benchmarks on this machine, in one run: `bun bench/run.ts` (env BENCH_CONNECTIONS, BENCH_SECONDS,
// BENCH_FLOWS). Starts FerretDB (temp data dir), the sandbox and the API as real processes, exactly
// like tests/e2e/stack.ts, plus a bare Bun.serve baseline; prints a Markdown report and writes it
// into the "Results" section of docs/benchmarks.md. Every process and temp dir is removed at the end.
import fs from 'node:fs';
import path from 'node:path';
import { apiEnv, BENCH_WITHOUT_LIMITS, localUrl, sandboxEnv } from '../scripts/local-env';
import { freePort } from '../scripts/net';
import { creditMismatches, login, purchaseFlow } from './client';
import { countCommands } from './commands';
import { CALLBACK_SECRET, CONNECTIONS, DOC, FLOWS, SECONDS, USERS, WARMUP_SECONDS } from './config';
import { httpTask, type LoadOptions, runLoad } from './load';
import { runBench, spawn, startDb, tmp, waitHealthy } from './processes';
import { formatResults, type HttpRun, writeDoc } from './report';

async function loadHttp(
  opts: Omit<LoadOptions, 'task'>,
  make: (worker: number) => Request,
): Promise<HttpRun> {
  const http = httpTask(make);
  return { result: await runLoad({ ...opts, task: http.task }), non2xx: http.non2xx };
}

async function main(): Promise<string> {
  const started = Date.now();
  const ferret = await startDb();
  const mongoUri = `${ferret.mongoUri}/bench_${Math.random().toString(36).slice(2, 10)}`;
  const [apiPort, sandboxPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const pair = { apiPort, sandboxPort, mongoUri, callbackSecret: CALLBACK_SECRET };
  const api = localUrl(apiPort);
  const sandbox = localUrl(sandboxPort);
  const bare = localUrl(barePort);
  const sandboxProc = spawn('sandbox', 'src/adapters/sandbox/main.ts', sandboxEnv(pair));
  const apiProc = spawn('api', 'src/app/main.ts', { ...apiEnv(pair), ...BENCH_WITHOUT_LIMITS });
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
  const apiProducts = await loadHttp(load, () => new Request(`${api}/api/products/`));
  console.error('products: bare Bun.serve…');
  const bareProducts = await loadHttp(load, () => new Request(`${bare}/api/products/`));
  bareProc.kill('SIGTERM');
  await bareProc.exited;

  // 3. Full purchase flows, one user per concurrent flow so the credits can be checked per user.
  // Run before the create-order load, so the flows see the same small database on every run.
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
  const mismatches = await creditMismatches(api, payers, completed);

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
  const createOrders = await loadHttp(load, createRequest);
  // The same with one connection: shows whether the concurrent number is CPU- or contention-bound.
  console.error('create order, 1 connection…');
  const createSerial = await loadHttp({ ...load, connections: 1 }, createRequest);

  // 4. Database commands per request, with the app composed in this process.
  console.error('database commands per request…');
  apiProc.kill('SIGTERM'); // not needed any more; the in-process app uses the same DB and sandbox
  await apiProc.exited;
  const commands = await countCommands(mongoUri, sandbox);

  return formatResults({
    started,
    bareProducts,
    apiProducts,
    createOrders,
    createSerial,
    flows,
    completed,
    mismatches,
    commands,
  });
}

await runBench(async () => {
  const results = await main();
  console.log(results);
  await writeDoc(results);
  console.error(`written to ${path.relative(process.cwd(), DOC)}`);
});
