// Issue 8: a model-based test of the money paths. fast-check drives commands against the real system
// (domain use cases over the Mongo adapters on the test FerretDB, the gateway adapter talking to the
// in-process sandbox, the gateway callback verifier) and checks, after every command, that each ledger
// entry is explained by what the model did, balances match and never go negative, nothing is settled
// or refunded in our books that the provider does not have; every AUDIT_EVERY commands and at the end
// of each run the integrity audit; and at the end of each run, after draining callbacks and sweeping,
// that money is conserved: Σ captured − Σ refunded at the provider = Σ purchases − Σ refunds with us.
// MODEL_STEPS (default 1000) sets how many commands run in total; MODEL_SEED fixes the seed.
// docs/model-test.md records the long run.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { fenToYuan } from '../../src/domain/money';
import type { Order } from '../../src/domain/order';
import { gaveUp, refundState } from '../../src/domain/refund';
import type { Result } from '../../src/domain/result';
import { adjustCredits, updateProduct } from '../../src/domain/usecases/admin';
import { auditStore } from '../../src/domain/usecases/audit';
import { followRefundInFlight } from '../../src/domain/usecases/check-order';
import { consumeCredits } from '../../src/domain/usecases/credits';
import type { Deps } from '../../src/domain/usecases/deps';
import { handlePaymentEvent } from '../../src/domain/usecases/notification';
import { createOrder, payOrder } from '../../src/domain/usecases/orders';
import { queryPaymentStatus } from '../../src/domain/usecases/payment-status';
import { sweepOrders } from '../../src/domain/usecases/reconcile';
import { refundOrder } from '../../src/domain/usecases/refund';
import { handleRefundNotice } from '../../src/domain/usecases/refund-follow';
import { recycledDatabase } from '../support/recycled-db';
import {
  type Captured,
  Crash,
  crashingDeps,
  type Provider,
  START,
  type System,
  signedHeaders,
  startProvider,
  startSystem,
} from './system';

const STEPS = Number(process.env.MODEL_STEPS ?? 1000);
const SEED = Number(process.env.MODEL_SEED ?? Date.now() % 2 ** 31);
const MAX_COMMANDS = Number(process.env.MODEL_MAX_COMMANDS ?? 100);
const AUDIT_EVERY = Number(process.env.MODEL_AUDIT_EVERY ?? 20);

// ---- the model ------------------------------------------------------------------------------------

interface MOrder {
  readonly id: number;
  readonly no: string;
  readonly userId: number;
  readonly amountFen: number;
  readonly credits: number;
  /** The provider has a trade (payOrder succeeded once). */
  trade: boolean;
  /** The provider took the money. */
  paid: boolean;
  /** Our purchase entry exists. */
  settled: boolean;
  /** out_refund_no of every attempt we saw, oldest first. */
  readonly attempts: string[];
}

interface Model {
  readonly users: number[];
  readonly orders: MOrder[];
  readonly price: Map<number, { priceFen: number; credits: number }>;
  readonly balance: Map<number, number>;
  /** Ledger seq already explained, per user. */
  readonly seen: Map<number, number>;
  /** consume/adjust idempotency keys the commands used → amount asked. */
  readonly clientOps: Map<string, number>;
  readonly totals: { purchase: number; refund: number; giveBack: number; adjust: number; consume: number };
  steps: number;
  keys: number;
}

interface Real {
  readonly sys: System;
  readonly provider: Provider;
}

const clockOf = (r: Real) => r.provider.clock();
const sweeper = (deps: Deps) =>
  sweepOrders(deps, {
    callsPerMinute: 1000,
    parallelism: 4,
    maxChecks: 2000,
    followRefund: followRefundInFlight,
  });

// ---- invariants -----------------------------------------------------------------------------------

/**
 * Explains every new ledger entry by the model and checks the balances; with `orders`, also every
 * order against the model and the provider's books (slower: a few reads per order).
 */
async function verify(m: Model, r: Real, orders: boolean): Promise<void> {
  const { deps } = r.sys;
  for (const userId of m.users) {
    const seen = m.seen.get(userId) ?? 0;
    for await (const e of deps.ledger.scanUser(userId)) {
      if (e.seq <= seen) continue;
      const order = m.orders.find((o) => o.id === e.relatedOrderId);
      if (e.type === 'purchase') {
        expect(order?.paid).toBe(true); // only money the provider took buys credits
        expect(order?.settled).toBe(false); // once
        expect(e.amount).toBe(order?.credits ?? -1);
        if (order) order.settled = true;
        m.totals.purchase += e.amount;
      } else if (e.type === 'refund' && e.idempotencyKey.startsWith('refund-reversal:')) {
        const no = e.idempotencyKey.slice('refund-reversal:'.length);
        expect(order?.attempts).toContain(no);
        // A give-back only for a refund that moved no money at the provider.
        const at = await r.provider.control(`/sandbox/refunds/${no}`);
        if (at.status === 200) expect(['CLOSED', 'ABNORMAL']).toContain(at.body.status);
        m.totals.giveBack += e.amount;
      } else if (e.type === 'refund') {
        expect(order?.settled).toBe(true);
        expect(e.amount).toBeLessThanOrEqual(0);
        expect(-e.amount).toBeLessThanOrEqual(order?.credits ?? 0);
        m.totals.refund -= e.amount;
      } else {
        expect(m.clientOps.get(e.idempotencyKey)).toBe(e.amount);
        if (e.type === 'adjust') m.totals.adjust += e.amount;
        else m.totals.consume -= e.amount;
      }
      const balance = (m.balance.get(userId) ?? 0) + e.amount;
      m.balance.set(userId, balance);
      expect(e.balanceAfter).toBe(balance);
      expect(balance).toBeGreaterThanOrEqual(0);
      m.seen.set(userId, e.seq);
    }
    expect((await deps.ledger.head(userId))?.balanceAfter ?? 0).toBe(m.balance.get(userId) ?? 0);
  }
  const t = m.totals;
  const sum = [...m.balance.values()].reduce((a, b) => a + b, 0);
  expect(t.purchase - t.refund + t.giveBack + t.adjust - t.consume).toBe(sum);
  if (!orders) return;

  for (const o of m.orders) {
    const order = (await deps.orders.findById(o.id)) as Order;
    // Orders keep their price, whatever happens to the product.
    expect([order.amountFen, order.credits, order.userId]).toEqual([o.amountFen, o.credits, o.userId]);
    const settlement = await deps.settlements.find(o.id);
    if (settlement) expect(o.paid).toBe(true);
    for (const no of o.attempts) {
      const state = refundState(await deps.refunds.events(no));
      if (state === 'succeeded') {
        const at = await r.provider.control(`/sandbox/refunds/${no}`);
        expect(at.body.status).toBe('SUCCESS');
      }
    }
  }
}

async function audit(r: Real): Promise<void> {
  const report = await auditStore(r.sys.deps)();
  if (!report.ok)
    throw new Error(`audit: ${JSON.stringify(report.violations)} ${JSON.stringify(report.findings)}`);
}

/** Σ captured − Σ refunded at the provider, and Σ purchases − Σ refunds in our records (fen). */
async function moneyBooks(m: Model, r: Real) {
  let provider = 0;
  let ours = 0;
  for (const o of m.orders) {
    if (o.trade) {
      const t = await r.provider.control(`/sandbox/trades/${o.no}`);
      if (t.body.trade_state === 'SUCCESS' || t.body.trade_state === 'REFUND') provider += t.body.total_fen;
      provider -= t.body.refunded_fen ?? 0;
    }
    const s = await r.sys.deps.settlements.find(o.id);
    if (s) ours += o.amountFen;
    for (const a of await r.sys.deps.refunds.attempts(o.id))
      if (refundState(await r.sys.deps.refunds.events(a.outRefundNo)) === 'succeeded') ours -= a.refundFen;
  }
  return { provider, ours };
}

// ---- commands -------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

/** A step of the system; `strict` is false for the crashing first try, whose outcome is not judged. */
type Step = (m: Model, r: Real, deps: Deps, strict: boolean) => Promise<void>;

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

function command(name: string, needsOrders: boolean, step: Step, crashable = false, crashAfter = 0): Cmd {
  return {
    check: (m) => !needsOrders || m.orders.length > 0,
    async run(m, r) {
      m.steps++;
      if (crashable && crashAfter > 0) {
        const crashing = crashingDeps(r.sys.deps, crashAfter);
        try {
          await step(m, r, crashing.deps, false);
        } catch (e) {
          if (!(e instanceof Crash)) throw e;
        }
      }
      await step(m, r, r.sys.deps, true);
      const full = m.steps % AUDIT_EVERY === 0;
      await verify(m, r, full);
      if (full) await audit(r);
    },
    toString: () => (crashable && crashAfter > 0 ? `crash@${crashAfter}(${name})` : name),
  };
}

const expectKind = (res: Result<unknown, { kind: string }>, allowed: readonly string[]) => {
  if (!res.ok) expect(allowed).toContain(res.error.kind);
};

const createCmd = fc.record({ u: fc.nat(), p: fc.constantFrom(1, 2) }).map(({ u, p }) =>
  command(`create(u${u % 3},p${p})`, false, async (m, _r, deps) => {
    const userId = pick(m.users, u);
    const created = await createOrder(deps)(userId, p);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const o = created.value;
    expect(o.amountFen).toBe(m.price.get(p)?.priceFen ?? -1);
    m.orders.push({
      id: o.id,
      no: o.orderNo,
      userId,
      amountFen: o.amountFen,
      credits: o.credits,
      trade: false,
      paid: false,
      settled: false,
      attempts: [],
    });
  }),
);

const crashN = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) },
);

const payCmd = fc.record({ i: fc.nat(), c: crashN }).map(({ i, c }) =>
  command(
    `pay(${i})`,
    true,
    async (m, _r, deps, strict) => {
      const o = pick(m.orders, i);
      const user = await deps.users.findById(o.userId);
      if (!user) throw new Error('user vanished');
      const paid = await payOrder(deps)(user, o.id);
      if (paid.ok) o.trade = true;
      if (!strict) return;
      expectKind(paid, ['order_already_paid', 'order_not_payable']);
      if (o.settled) expect(paid.ok).toBe(false);
    },
    true,
    c,
  ),
);

const providerPayCmd = fc.record({ i: fc.nat(), notify: fc.boolean() }).map(({ i, notify }) =>
  command(`providerPay(${i},notify=${notify})`, true, async (m, r) => {
    const o = pick(m.orders, i);
    if (!o.trade) return;
    const res = await r.provider.control(`/sandbox/trades/${o.no}/pay?notify=${notify}`, {});
    if (res.status === 200) o.paid = true;
    else expect(res.status).toBe(409); // closed (expired/cancelled) or refunded: no money taken
  }),
);

type Delivery = 'next' | 'duplicate' | 'late';
const deliver = async (_m: Model, r: Real, deps: Deps, strict: boolean, c: Captured) => {
  const headers = signedHeaders(c.raw, clockOf(r));
  c.delivered++;
  if (c.refund) {
    const notice = r.sys.notifications.verifyRefund(headers, c.raw);
    expect(notice.ok).toBe(true);
    if (!notice.ok) return;
    const handled = await handleRefundNotice(deps)(notice.value);
    if (strict) expect(handled.ok).toBe(true);
  } else {
    const event = r.sys.notifications.verify(headers, c.raw);
    expect(event.ok).toBe(true);
    if (!event.ok) return;
    const handled = await handlePaymentEvent(deps)(event.value, 'callback');
    if (strict) expect(handled.ok).toBe(true);
  }
};

const deliverCmd = fc
  .record({ kind: fc.constantFrom<Delivery>('next', 'next', 'duplicate', 'late'), i: fc.nat(), c: crashN })
  .map(({ kind, i, c }) =>
    command(
      `callback(${kind},${i})`,
      false,
      async (m, r, deps, strict) => {
        const all = r.provider.captured;
        const waiting = all.filter((x) => x.delivered === 0);
        const chosen =
          kind === 'next'
            ? waiting[0]
            : kind === 'late'
              ? waiting.at(-1 - (i % Math.max(1, waiting.length)))
              : undefined;
        const done = all.filter((x) => x.delivered > 0);
        const target = chosen ?? (kind === 'duplicate' && done.length > 0 ? pick(done, i) : undefined);
        if (!target) return;
        // The crashing try delivers the same callback: the gateway retries until it gets a 2xx.
        if (!strict) target.delivered--;
        await deliver(m, r, deps, strict, target);
      },
      true,
      c,
    ),
  );

const forgedCmd = fc
  .record({ i: fc.nat(), how: fc.constantFrom('secret', 'body', 'stale') })
  .map(({ i, how }) =>
    command(`forged(${how},${i})`, true, async (m, r) => {
      const o = pick(m.orders, i);
      const raw = JSON.stringify({
        order_no: o.no,
        payment_id: `4200forged${o.id}`,
        status: 'SUCCESS',
        amount: Number(fenToYuan(o.amountFen)),
      });
      const clock = clockOf(r);
      let headers = signedHeaders(raw, clock, how === 'secret' ? 'not-the-gateway-secret' : undefined);
      let body = raw;
      // Signed bytes, then altered: the amount halved.
      if (how === 'body')
        body = raw.replace(
          /"amount":[0-9.]+/,
          `"amount":${Number(fenToYuan(Math.max(1, o.amountFen >> 1)))}`,
        );
      if (how === 'stale') {
        clock.advance(-3_600_000);
        headers = signedHeaders(raw, clock);
        clock.advance(3_600_000);
      }
      const verified = r.sys.notifications.verify(headers, body);
      expect(verified.ok).toBe(false);
      if (!verified.ok) expect(verified.error.kind).toBe('notification_unauthenticated');
      const refund = r.sys.notifications.verifyRefund(headers, body);
      expect(refund.ok).toBe(false);
    }),
  );

const statusCmd = fc.record({ i: fc.nat(), c: crashN }).map(({ i, c }) =>
  command(
    `status(${i})`,
    true,
    async (m, _r, deps, strict) => {
      const o = pick(m.orders, i);
      const res = await queryPaymentStatus(deps)(o.userId, o.id);
      if (!strict) return;
      expectKind(res, ['provider_unavailable', 'provider_rejected']);
      if (res.ok && res.value.paid) expect(o.paid).toBe(true);
    },
    true,
    c,
  ),
);

const sweepCmd = fc
  .record({ minutes: fc.constantFrom(0, 1, 2, 5, 11, 31, 61), c: crashN })
  .map(({ minutes, c }) =>
    command(
      `sweep(+${minutes}m)`,
      false,
      async (_m, r, deps, strict) => {
        if (strict) clockOf(r).advance(minutes * 60_000);
        await sweeper(deps)();
      },
      true,
      c,
    ),
  );

type Answer = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL' | 'TIMEOUT';
const refundCmd = fc
  .record({
    i: fc.nat(),
    answer: fc.constantFrom<Answer>('SUCCESS', 'PROCESSING', 'CLOSED', 'ABNORMAL', 'TIMEOUT'),
    force: fc.boolean(),
    retry: fc.boolean(),
    c: crashN,
  })
  .map(({ i, answer, force, retry, c }) =>
    command(
      `refund(${i},${answer},force=${force},retry=${retry})`,
      true,
      async (m, r, deps, strict) => {
        const o = pick(m.orders, i);
        await r.provider.control('/sandbox/refund-settings', {
          status: answer === 'TIMEOUT' ? 'SUCCESS' : answer,
          drop_answers: answer === 'TIMEOUT' ? 1 : 0,
        });
        const latest = o.attempts.at(-1);
        const balance = m.balance.get(o.userId) ?? 0;
        let inFlight = false;
        if (latest) inFlight = !gaveUp(refundState(await deps.refunds.events(latest)));
        const res = await refundOrder(deps)(o.id, { force, ...(retry && latest ? { retryOf: latest } : {}) });
        await r.provider.control('/sandbox/refund-settings', { status: 'SUCCESS', drop_answers: 0 });
        // Every attempt claimed, also by a call that then failed (a lost answer, a crash): numbers are random.
        for (const a of await r.sys.deps.refunds.attempts(o.id))
          if (!o.attempts.includes(a.outRefundNo)) o.attempts.push(a.outRefundNo);
        if (!strict) return;
        expectKind(res, [
          'order_not_refundable',
          'refund_insufficient_credits',
          'refund_provider_unavailable',
          'refund_retry_invalid',
        ]);
        if (!o.settled && !res.ok) expect(res.error.kind).toBe('order_not_refundable');
        if (o.settled && !force && !inFlight && !retry && !latest && balance < o.credits)
          expect(res.ok ? 'ok' : res.error.kind).toBe('refund_insufficient_credits');
      },
      true,
      c,
    ),
  );

const refundFinishCmd = fc
  .record({ i: fc.nat(), how: fc.constantFrom('succeed', 'close', 'abnormal'), notify: fc.boolean() })
  .map(({ i, how, notify }) =>
    command(`refundFinish(${i},${how},notify=${notify})`, true, async (m, r) => {
      const o = pick(m.orders, i);
      const latest = o.attempts.at(-1);
      if (!latest) return;
      const res = await r.provider.control(`/sandbox/refunds/${latest}/${how}?notify=${notify}`, {});
      expect([200, 404, 409]).toContain(res.status);
    }),
  );

const consumeCmd = fc
  .record({ u: fc.nat(), amount: fc.integer({ min: 1, max: 400 }), repeat: fc.boolean(), c: crashN })
  .map(({ u, amount, repeat, c }) => {
    let key: string | undefined;
    return command(
      `consume(u${u % 3},${amount}${repeat ? ',repeat' : ''})`,
      false,
      async (m, _r, deps, strict) => {
        const userId = pick(m.users, u);
        key ??= `k${++m.keys}`;
        const stored = `consume:${userId}:${key}`;
        const before = m.balance.get(userId) ?? 0;
        const known = m.clientOps.has(stored);
        m.clientOps.set(stored, -amount);
        for (let n = 0; n < (repeat ? 2 : 1); n++) {
          const res = await consumeCredits(deps)(userId, {
            amount,
            description: 'model',
            idempotencyKey: key,
          });
          if (strict && !known) expect(res.ok).toBe(before >= amount);
        }
      },
      true,
      c,
    );
  });

const adjustCmd = fc
  .record({ u: fc.nat(), amount: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0), c: crashN })
  .map(({ u, amount, c }) => {
    let key: string | undefined;
    return command(
      `adjust(u${u % 3},${amount})`,
      false,
      async (m, _r, deps, strict) => {
        const userId = pick(m.users, u);
        key ??= `a${++m.keys}`;
        const stored = `adjust:${userId}:${key}`;
        const before = m.balance.get(userId) ?? 0;
        const known = m.clientOps.has(stored);
        m.clientOps.set(stored, amount);
        const res = await adjustCredits(deps)(userId, { amount, reason: 'model', idempotencyKey: key });
        if (strict && !known) expect(res.ok).toBe(before + amount >= 0);
      },
      true,
      c,
    );
  });

const editCmd = fc
  .record({ p: fc.constantFrom(1, 2), priceFen: fc.integer({ min: 1, max: 99_999 }) })
  .map(({ p, priceFen }) =>
    command(`editPrice(p${p},${priceFen})`, false, async (m, _r, deps) => {
      const res = await updateProduct(deps)(p, { priceFen });
      expect(res.ok).toBe(true);
      const was = m.price.get(p);
      if (was) m.price.set(p, { ...was, priceFen });
    }),
  );

const commands = [
  createCmd,
  createCmd,
  payCmd,
  payCmd,
  providerPayCmd,
  providerPayCmd,
  deliverCmd,
  deliverCmd,
  deliverCmd,
  forgedCmd,
  statusCmd,
  sweepCmd,
  refundCmd,
  refundCmd,
  refundFinishCmd,
  consumeCmd,
  adjustCmd,
  editCmd,
];

// ---- the end of a run: drain, reconcile, conserve ---------------------------------------------------

async function drain(m: Model, r: Real): Promise<void> {
  const { deps } = r.sys;
  const deliverAll = async () => {
    for (const c of r.provider.captured) if (c.delivered === 0) await deliver(m, r, deps, true, c);
  };
  await deliverAll();
  // Refunds the provider still processes end as WeChat ends most of them.
  for (const o of m.orders)
    for (const no of o.attempts) await r.provider.control(`/sandbox/refunds/${no}/succeed?notify=true`, {});
  for (let round = 0; round < 4; round++) {
    await deliverAll();
    clockOf(r).advance(61 * 60_000);
    await sweeper(deps)();
  }
  await deliverAll();
  await verify(m, r, true);
  await audit(r);
  // Every paid trade is settled in the end (a callback, a query or the sweeper got it).
  for (const o of m.orders) if (o.paid) expect(await deps.settlements.find(o.id)).not.toBeNull();
  const books = await moneyBooks(m, r);
  expect(books.ours).toBe(books.provider);
  // What the run exercised, summed over the file and printed at the end.
  coverage.orders += m.orders.length;
  coverage.settled += m.orders.filter((o) => o.settled).length;
  coverage.fen += books.ours;
  for (const o of m.orders)
    for (const no of o.attempts) {
      const state = refundState(await deps.refunds.events(no));
      coverage.refunds[state] = (coverage.refunds[state] ?? 0) + 1;
    }
  coverage.giveBacks += m.totals.giveBack;
  coverage.consumed += m.totals.consume;
  coverage.adjusted += m.totals.adjust;
}

const coverage = {
  orders: 0,
  settled: 0,
  fen: 0,
  refunds: {} as Record<string, number>,
  giveBacks: 0,
  consumed: 0,
  adjusted: 0,
};

// ---- the test ---------------------------------------------------------------------------------------

describe(`money model (${STEPS} steps, seed ${SEED})`, () => {
  let provider: Provider;
  const db = recycledDatabase('model');
  beforeAll(() => {
    provider = startProvider();
  });
  afterAll(async () => {
    await provider?.stop();
    await db.close();
  });

  it(
    'keeps the books: audit clean, balances explained and never negative, money conserved',
    async () => {
      let steps = 0;
      let runs = 0;
      const started = Date.now();
      const property = fc.asyncProperty(
        // Long runs: a run's set-up and drain cost as much as dozens of commands.
        fc
          .commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' })
          .filter((cmds) => [...cmds].length >= MAX_COMMANDS / 2),
        async (cmds) => {
          const t00 = Date.now();
          const clock = provider.resetClock(new Date(START.getTime() + runs * 86_400_000 * 7));
          const sys = await startSystem(provider, clock, db);
          const model: Model = {
            users: sys.users,
            orders: [],
            price: new Map([
              [1, { priceFen: 990, credits: 100 }],
              [2, { priceFen: 3990, credits: 500 }],
            ]),
            balance: new Map(),
            seen: new Map(),
            clientOps: new Map(),
            totals: { purchase: 0, refund: 0, giveBack: 0, adjust: 0, consume: 0 },
            steps: 0,
            keys: 0,
          };
          const real: Real = { sys, provider };
          try {
            const t0 = Date.now();
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            const t1 = Date.now();
            await drain(model, real);
            if (process.env.MODEL_TIMING)
              console.log(
                `run: ${model.steps} steps ${t1 - t0} ms, drain ${Date.now() - t1} ms, start ${t0 - t00} ms`,
              );
          } finally {
            steps += model.steps;
            runs++;
          }
        },
      );
      for (let i = 0; steps < STEPS; i++) {
        await fc.assert(property, {
          numRuns: 1,
          seed: SEED + i,
          endOnFailure: process.env.MODEL_SHRINK !== '1',
        });
      }
      console.log(`money model: ${steps} steps in ${runs} runs, seed ${SEED}, ${Date.now() - started} ms`);
      console.log(`money model exercised: ${JSON.stringify(coverage)}`);
      expect(steps).toBeGreaterThanOrEqual(STEPS);
    },
    Number(process.env.MODEL_TIMEOUT_MS ?? 600_000),
  );
});
