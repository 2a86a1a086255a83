import type { Subprocess } from 'bun';
import { call, login, requestPaymentArgs } from '../../scripts/client';
import { apiEnv, localUrl, sandboxEnv } from '../../scripts/local-env';
import { freePort } from '../../scripts/net';
import { preparedDatabase } from '../support/recycled-db';
import { auditDatabase } from './audit';

export const CALLBACK_SECRET = 'e2e-gateway-callback-secret';

/**
 * For tests whose subject needs one user to hold many orders at once (id allocation, settlement
 * under concurrency): the abuse limits would stop them first. The limits have their own e2e tests.
 */
export const WITHOUT_ORDER_LIMITS: Record<string, string> = {
  RATE_LIMITS: 'off',
  PENDING_ORDERS_PER_USER: '0',
  REUSE_PENDING_ORDERS: 'off',
  PAYMENT_STATUS_QUERY_SECONDS: '0',
};
const ROOT = new URL('../..', import.meta.url).pathname;

async function waitHealthy(url: string, proc: Subprocess, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`${name} exited with ${proc.exitCode} before becoming healthy`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`${name} not healthy at ${url} within 20 s`);
}

function spawn(entry: string, env: Record<string, string>, logs: string[]): Subprocess {
  const proc = Bun.spawn([process.execPath, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  // Keep the children's output for assertions and for debugging a failed run, line by line: a
  // chunk of a pipe can end inside a line (access lines are written in batches), so the unfinished
  // tail waits for the next chunk.
  for (const stream of [proc.stdout, proc.stderr] as ReadableStream<Uint8Array>[]) {
    void (async () => {
      const decoder = new TextDecoder();
      let tail = '';
      for await (const chunk of stream) {
        const parts = (tail + decoder.decode(chunk, { stream: true })).split('\n');
        tail = parts.pop() ?? '';
        logs.push(...parts.filter(Boolean));
      }
      if (tail) logs.push(tail);
    })();
  }
  return proc;
}

/**
 * The real processes over real TCP: FerretDB (the test singleton, a database of our own), the
 * sandbox and the API, each started as `bun <entry>` exactly as `npm start` does.
 */
export async function startStack(
  opts: { apiEnv?: Record<string, string>; sandboxEnv?: Record<string, string> } = {},
) {
  // Prepared as npm start prepares it (the models' indexes, then the GIN indexes), and empty.
  const database = await preparedDatabase('e2e');
  const mongoUri = database.uri;
  const [apiPort, sandboxPort] = [await freePort(), await freePort()];
  const pair = { apiPort, sandboxPort, mongoUri, callbackSecret: CALLBACK_SECRET };
  const api = localUrl(apiPort);
  const sandbox = localUrl(sandboxPort);
  const logs: string[] = [];
  const sandboxProc = spawn(
    'src/adapters/sandbox/main.ts',
    { ...sandboxEnv(pair), ...opts.sandboxEnv },
    logs,
  );
  const apiEnvWith = (extra: Record<string, string> = {}) => ({
    ...apiEnv(pair),
    ...opts.apiEnv,
    ...(opts.apiEnv?.PAYMENT_PROVIDER === 'wechatpay' ? { WECHATPAY_BASE_URL: sandbox } : {}),
    ...extra,
  });
  let apiProc = spawn('src/app/main.ts', apiEnvWith(), logs);
  await Promise.all([waitHealthy(sandbox, sandboxProc, 'sandbox'), waitHealthy(api, apiProc, 'api')]);
  const extraApis: Subprocess[] = [];

  return {
    api,
    sandbox,
    mongoUri,
    logs,
    get apiProc() {
      return apiProc;
    },
    /** Replaces the API process (after a crash, or with other settings) on the same port and database. */
    async restartApi(extra: Record<string, string> = {}) {
      if (apiProc.exitCode === null && apiProc.signalCode === null) {
        apiProc.kill('SIGTERM');
        await apiProc.exited;
      }
      apiProc = spawn('src/app/main.ts', apiEnvWith(extra), logs);
      await waitHealthy(api, apiProc, 'api');
    },
    /** Another API instance on its own port, same database and sandbox (horizontal scale). */
    async addApi(): Promise<string> {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const proc = spawn('src/app/main.ts', apiEnvWith({ PORT: String(port), PUBLIC_BASE_URL: url }), logs);
      extraApis.push(proc);
      await waitHealthy(url, proc, 'api');
      return url;
    },
    /**
     * Stops every process, then audits the database they wrote (throws on any violation); a
     * database that passed is given back for the next stack.
     */
    async stop() {
      const all = [apiProc, sandboxProc, ...extraApis];
      for (const p of all) if (p.exitCode === null) p.kill('SIGTERM');
      await Promise.all(all.map((p) => p.exited));
      await auditDatabase(mongoUri);
      database.release();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** The shared mini-program client, bound to one base URL. */
export function client(base: string) {
  const bound = (method: string, path: string, opts: { token?: string; body?: unknown } = {}) =>
    call(base, method, path, opts);
  return {
    call: bound,
    login: (code: string) => login(base, code),
    /** The order's status as its owner sees it. */
    status: async (token: string, id: number) =>
      (await bound('GET', `/api/orders/${id}`, { token })).body.status as string,
    /** A new user (by login code) orders a package and asks to pay: what wx.requestPayment needs. */
    async placeOrder(code: string, productId = 1) {
      const token = await login(base, code);
      const created = await bound('POST', '/api/orders/create', { token, body: { product_id: productId } });
      if (created.status !== 200)
        throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
      const id = created.body.order_id as number;
      const pay = await bound('POST', `/api/orders/pay/${id}`, { token });
      if (pay.status !== 200) throw new Error(`pay: ${pay.status} ${JSON.stringify(pay.body)}`);
      return { token, id, orderNo: created.body.order_no as string, paymentData: pay.body.payment_data };
    },
  };
}

/** A POST to one of the sandbox's control endpoints; its JSON answer. */
export const sandboxControl =
  (stack: () => Stack) =>
  async (path: string, body: unknown = {}) =>
    (await fetch(`${stack().sandbox}${path}`, { method: 'POST', body: JSON.stringify(body) })).json();

export { requestPaymentArgs };

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await Bun.sleep(50);
  }
}
