// The system under test of the money model (money.model.test.ts): the domain use cases over the Mongo
// adapters on the test FerretDB, the real gateway payment adapter talking to the in-process sandbox,
// and the gateway notification verifier. Wired as tests/support/app.ts wires the HTTP tests (same
// adapters and settings), with a hand-moved clock shared by the sandbox and a crash switch.
import { mongoRepositories } from '../../src/adapters/mongo';
import { createGatewayNotifications } from '../../src/adapters/payment/gateway/notifications';
import { createGatewayPayments } from '../../src/adapters/payment/gateway/payments';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { FixedClock } from '../../src/adapters/system/clock';
import { cryptoRandom } from '../../src/adapters/system/random';
import type { PaymentNotifications } from '../../src/domain/payment';
import type { WechatLogin } from '../../src/domain/ports';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import type { Deps } from '../../src/domain/usecases/deps';
import { CALLBACK_SECRET, startSandbox } from '../sandbox/harness';
import type { RecycledDatabase } from '../support/recycled-db';

/** A callback the sandbox sent (captured instead of delivered: the model decides when and how often). */
export interface Captured {
  readonly raw: string;
  readonly refund: boolean;
  delivered: number;
}

/** Thrown by a crashing deps wrapper: the process "died" right after a write. */
export class Crash extends Error {}

/** The port methods that write (domain/ports.ts); the rest only read. */
const WRITES = new Set(
  'create seed update ensure project claim record schedule complete setCursor claimOnce take forget forgetClaims open resolve insert'.split(
    ' ',
  ),
);

/**
 * `deps` whose repositories throw `Crash` right after their `afterWrites`-th write has completed —
 * the write is durable, the rest of the use case never runs (a SIGKILL at that moment).
 */
export function crashingDeps(deps: Deps, afterWrites: number): { deps: Deps; crashed: () => boolean } {
  let writes = 0;
  let crashed = false;
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        if (typeof prop !== 'string' || !WRITES.has(prop)) return v.bind(target);
        return async (...args: unknown[]) => {
          if (crashed) throw new Crash('after the crash');
          const result = await v.apply(target, args);
          if (++writes >= afterWrites) {
            crashed = true;
            throw new Crash(`crash after write ${writes} (${prop})`);
          }
          return result;
        };
      },
    });
  const repoKeys = [
    'products',
    'users',
    'orders',
    'statusChanges',
    'settlements',
    'refunds',
    'ledger',
    'checks',
    'callBudget',
    'reviews',
  ] as const;
  const wrapped: Record<string, unknown> = { ...deps };
  for (const k of repoKeys) wrapped[k] = wrap(deps[k] as object);
  return { deps: wrapped as unknown as Deps, crashed: () => crashed };
}

export const START = new Date('2024-03-01T02:00:00Z');

/** One sandbox per file; its clock is the model's clock, and its callbacks land in `captured`. */
export function startProvider() {
  let clock = new FixedClock(START);
  const captured: Captured[] = [];
  const sb = startSandbox({
    now: () => clock.now(),
    fetch: async (_url, init) => {
      const raw = String(init?.body ?? '');
      captured.push({ raw, refund: raw.includes('"out_refund_no"'), delivered: 0 });
      return new Response(JSON.stringify({ code: 'SUCCESS' }), { status: 200 });
    },
  });
  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${sb.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: sandbox control replies are read field by field.
    return { status: res.status, body: (await res.json()) as any };
  };
  return {
    url: sb.url,
    captured,
    control,
    /** A new run gets a new clock (trades of earlier runs stay in the sandbox and are never looked at). */
    resetClock(at: Date) {
      clock = new FixedClock(at);
      captured.length = 0;
      return clock;
    },
    clock: () => clock,
    stop: () => sb.stop(),
  };
}
export type Provider = ReturnType<typeof startProvider>;

const noLogin: WechatLogin = {
  exchange: async () => {
    throw new Error('login is not part of the money model');
  },
};

/**
 * An empty database for one run (the file's recycled one, emptied) and new adapters, wired like
 * tests/support/app.ts but over the Mongo adapters.
 */
export async function startSystem(provider: Provider, clock: FixedClock, db: RecycledDatabase) {
  const [conn] = await db.take();
  if (!conn) throw new Error('no connection');
  const logs: { event: string; fields: Record<string, unknown> }[] = [];
  const deps: Deps = {
    ...mongoRepositories(conn),
    payments: createGatewayPayments({ baseUrl: provider.url, timeoutMs: 2000 }),
    wechatLogin: noLogin,
    clock,
    random: cryptoRandom,
    settings: {
      timeZone: 'Asia/Shanghai',
      orderExpireMinutes: 30,
      notifyUrl: 'http://127.0.0.1:9/api/orders/callback',
      refundNotifyUrl: 'http://127.0.0.1:9/api/orders/callback/refund',
    },
    log: (event, fields) => logs.push({ event, fields }),
  };
  await seedDemoProducts(deps)();
  const notifications: PaymentNotifications = createGatewayNotifications({
    secrets: [CALLBACK_SECRET],
    clock,
  });
  const users: number[] = [];
  for (const openid of ['o_model_a', 'o_model_b', 'o_model_c'])
    users.push((await deps.users.ensure(openid, clock.now())).user.id);
  return { deps, conn, logs, notifications, users };
}
export type System = Awaited<ReturnType<typeof startSystem>>;

/** The headers the gateway signs a callback with, at the model's clock (`secret` to forge). */
export function signedHeaders(raw: string, clock: FixedClock, secret = CALLBACK_SECRET): Headers {
  const t = Math.floor(clock.now().getTime() / 1000);
  return new Headers({
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signGatewayPayload(secret, raw, t),
  });
}
