import { describe, expect, it } from 'bun:test';
import { memoryRepositories } from '../../src/adapters/memory';
import { FixedClock } from '../../src/adapters/system/clock';
import type { EntryRequest } from '../../src/domain/ledger';
import type { Payments, Random, WechatLogin } from '../../src/domain/ports';
import type { Deps } from '../../src/domain/usecases/deps';
import { appendEntry } from '../../src/domain/usecases/ledger';
import { finishSettlement, type PaidEvidence, settleOrder } from '../../src/domain/usecases/settle';
import { anOrder } from '../support/builders';

const notUsed = () => {
  throw new Error('not used in this test');
};
// Settlement must never reach the provider or WeChat: these fail loudly if it does.
const payments: Payments = {
  createPayment: notUsed,
  query: notUsed,
  close: notUsed,
  refund: notUsed,
  queryRefund: notUsed,
};
const wechatLogin: WechatLogin = { exchange: notUsed };
const random: Random = { string: notUsed };

function makeDeps() {
  const logs: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const deps: Deps = {
    ...memoryRepositories(),
    payments,
    wechatLogin,
    clock: new FixedClock(),
    random,
    settings: {
      timeZone: 'Asia/Shanghai',
      orderExpireMinutes: 30,
      notifyUrl: 'http://localhost/api/orders/callback',
    },
    log: (event, fields) => logs.push({ event, fields }),
  };
  return { deps, logs };
}

const ALL = { skip: 0, limit: 100 };

const spend = (amount: number, key: string): EntryRequest => ({
  userId: 1,
  amount,
  type: amount > 0 ? 'adjust' : 'consume',
  description: 'test',
  relatedOrderId: null,
  idempotencyKey: key,
});

describe('appendEntry', () => {
  it('writes one entry for the same idempotency key twice', async () => {
    const { deps } = makeDeps();
    const first = await appendEntry(deps, spend(100, 'k'));
    const second = await appendEntry(deps, spend(100, 'k'));
    expect(first.ok && first.value.created).toBe(true);
    expect(second.ok && second.value.created).toBe(false);
    expect(second.ok && second.value.entry).toEqual(first.ok && first.value.entry);
    expect(await deps.ledger.list(1, ALL)).toHaveLength(1);
  });

  it('keeps seq gap-free and the balance exact under 30 concurrent appends', async () => {
    const { deps } = makeDeps();
    const amounts = Array.from({ length: 30 }, (_, i) => i + 1);
    const results = await Promise.all(amounts.map((a) => appendEntry(deps, spend(a, `k${a}`))));
    expect(results.every((r) => r.ok && r.value.created)).toBe(true);
    const entries = await deps.ledger.list(1, ALL);
    expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(amounts);
    expect((await deps.ledger.head(1))?.balanceAfter).toBe(465);
  });

  it('creates one entry when the same key is appended 10 times at once', async () => {
    const { deps } = makeDeps();
    const results = await Promise.all(Array.from({ length: 10 }, () => appendEntry(deps, spend(100, 'k'))));
    expect(results.filter((r) => r.ok && r.value.created)).toHaveLength(1);
    expect(await deps.ledger.list(1, ALL)).toHaveLength(1);
  });

  it('answers a duplicate whose balance read came after the first write of its key with that entry', async () => {
    const { deps } = makeDeps();
    await appendEntry(deps, spend(100, 'grant'));
    const findByKey = deps.ledger.findByKey.bind(deps.ledger);
    let first: ReturnType<typeof appendEntry> | undefined;
    deps.ledger.findByKey = async (key) => {
      const found = await findByKey(key);
      if (key === 'spend' && !first) {
        first = appendEntry(deps, spend(-100, 'spend')); // lands between our key read and our head read
        await first;
      }
      return found;
    };
    const second = await appendEntry(deps, spend(-100, 'spend'));
    const written = await first!;
    if (!written.ok) throw new Error('the first write failed');
    expect(second).toEqual({ ok: true, value: { entry: written.value.entry, created: false } });
    expect(await deps.ledger.list(1, ALL)).toHaveLength(2);
  });

  it('refuses to consume beyond the balance and writes nothing', async () => {
    const { deps } = makeDeps();
    await appendEntry(deps, spend(50, 'grant'));
    expect(await appendEntry(deps, spend(-51, 'spend'))).toEqual({
      ok: false,
      error: { kind: 'insufficient_credits' },
    });
    expect(await deps.ledger.list(1, ALL)).toHaveLength(1);
    expect(await deps.ledger.findByKey('spend')).toBeNull();
  });
});

const evidence: PaidEvidence = {
  paymentId: 'wx-tx-1',
  amountFen: 990,
  paidAt: new Date('2023-07-01T04:01:00Z'),
  source: 'callback',
};

describe('settleOrder', () => {
  it('grants the credits once when the same payment is reported twice', async () => {
    const { deps } = makeDeps();
    const order = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits: 100 }));
    await settleOrder(deps)(order, evidence);
    const again = await settleOrder(deps)((await deps.orders.findById(order.id))!, evidence);
    expect(again.ok && again.value.status).toBe('completed');
    const entries = await deps.ledger.list(1, ALL);
    expect(entries.map((e) => [e.type, e.amount, e.idempotencyKey])).toEqual([
      ['purchase', 100, `purchase:${order.id}`],
    ]);
  });

  it('grants the credits once when two settlements race', async () => {
    const { deps } = makeDeps();
    const order = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits: 100 }));
    await Promise.all([
      settleOrder(deps)(order, evidence),
      settleOrder(deps)(order, { ...evidence, source: 'query' }),
    ]);
    expect((await deps.ledger.list(1, ALL)).map((e) => e.amount)).toEqual([100]);
  });

  it('completes the order with the payment id and time', async () => {
    const { deps } = makeDeps();
    const order = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits: 100 }));
    await settleOrder(deps)(order, evidence);
    const stored = await deps.orders.findById(order.id);
    expect([stored?.status, stored?.paymentId, stored?.paymentTime]).toEqual([
      'completed',
      'wx-tx-1',
      new Date('2023-07-01T04:01:00Z'),
    ]);
  });

  it('rejects a wrong amount without settling, granting or moving the order', async () => {
    const { deps, logs } = makeDeps();
    const order = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits: 100 }));
    const result = await settleOrder(deps)(order, { ...evidence, amountFen: 1 });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'notification_invalid', message: '支付金额与订单金额不符' },
    });
    expect(await deps.settlements.find(order.id)).toBeNull();
    expect(await deps.ledger.list(1, ALL)).toEqual([]);
    expect((await deps.orders.findById(order.id))?.status).toBe('pending');
    expect(logs.map((l) => l.event)).toEqual(['payment.amount_mismatch']);
  });

  // The settlement decides, not the status: money that arrives after a close still buys the credits.
  it('completes a cancelled order that turns out to be paid', async () => {
    const { deps } = makeDeps();
    const order = await deps.orders.create(
      anOrder({ userId: 1, amountFen: 990, credits: 100, status: 'cancelled' }),
    );
    const result = await settleOrder(deps)(order, evidence);
    expect(result.ok && result.value.status).toBe('completed');
    expect((await deps.orders.findById(order.id))?.status).toBe('completed');
    expect((await deps.ledger.head(1))?.balanceAfter).toBe(100);
  });
});

describe('finishSettlement', () => {
  it('finishes an order whose process died after the settlement was written', async () => {
    const { deps } = makeDeps();
    const order = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits: 100 }));
    const { settlement } = await deps.settlements.record({
      orderId: order.id,
      paymentId: 'wx-tx-1',
      amountFen: 990,
      settledAt: new Date('2023-07-01T04:01:00Z'),
      source: 'callback',
    });
    await finishSettlement(deps)(order, settlement);
    const entries = await deps.ledger.list(1, ALL);
    expect(entries.map((e) => [e.type, e.amount, e.relatedOrderId])).toEqual([['purchase', 100, order.id]]);
    expect((await deps.orders.findById(order.id))?.status).toBe('completed');
  });
});
