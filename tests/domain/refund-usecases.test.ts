import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { gaveUp, refundKey, reversalKey } from '../../src/domain/refund';
import { refundOrder } from '../../src/domain/usecases/refund';
import { followRefund, followRefunds, handleRefundNotice } from '../../src/domain/usecases/refund-follow';
import { balanceOf, completedOrder, entries, refundDeps } from './refund-fixture';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

describe('refundOrder', () => {
  it('takes the credits back before the provider hears of the refund', async () => {
    const { deps, provider } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps);
    let balanceWhenAsked: number | undefined;
    const ask = provider.payments.refund;
    deps.payments.refund = async (req) => {
      balanceWhenAsked = await balanceOf(deps);
      return ask(req);
    };
    const view = must(await refundOrder(deps)(order.id));
    expect(balanceWhenAsked).toBe(0);
    expect([view.state, view.order.status, view.deduction?.amount]).toEqual([
      'processing',
      'completed',
      -100,
    ]);
  });

  it('refuses without force before claiming anything when the user lacks the credits', async () => {
    const { deps, provider } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS' });
    const order = await completedOrder(deps, 100, { spent: 1 });
    expect(await refundOrder(deps)(order.id)).toEqual({
      ok: false,
      error: { kind: 'refund_insufficient_credits' },
    });
    expect(provider.sent).toEqual([]);
    expect(await deps.refunds.attempts(order.id)).toEqual([]);
    expect(await balanceOf(deps)).toBe(99);
  });

  it('does not re-decide a recorded zero deduction when credits arrive later', async () => {
    const { deps } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps, 100, { spent: 100 });
    const first = must(await refundOrder(deps)(order.id, { force: true }));
    expect(first.deduction?.amount).toBe(0);
    await completedOrder(deps, 100); // the user buys more
    const again = must(await refundOrder(deps)(order.id, { force: true }));
    expect(again.deduction).toEqual(first.deduction);
    expect(await balanceOf(deps)).toBe(100);
  });

  it('answers every concurrent duplicate with the same attempt and deduction', async () => {
    const { deps, provider } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps);
    const views = (await Promise.all(Array.from({ length: 8 }, () => refundOrder(deps)(order.id)))).map(must);
    for (const v of views) {
      expect(v.attempt).toEqual(views[0]!.attempt);
      expect([v.state, v.deduction]).toEqual(['processing', views[0]!.deduction]);
    }
    expect(new Set(provider.sent).size).toBe(1);
    expect(await balanceOf(deps)).toBe(0);
  });

  it('a duplicate whose balance check comes after another call took the credits joins that call', async () => {
    const { deps } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps);
    const head = deps.ledger.head.bind(deps.ledger);
    let other: ReturnType<ReturnType<typeof refundOrder>> | undefined;
    deps.ledger.head = async (userId) => {
      if (!other) {
        other = refundOrder(deps)(order.id); // runs whole between our attempts read and our balance read
        await other;
      }
      return head(userId);
    };
    const mine = must(await refundOrder(deps)(order.id));
    const theirs = must(await other!);
    expect([mine.attempt, mine.deduction]).toEqual([theirs.attempt, theirs.deduction]);
  });

  it('a duplicate that finds no deduction and then a balance already taken gets the deduction', async () => {
    const { deps } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps);
    const findByKey = deps.ledger.findByKey.bind(deps.ledger);
    let other: ReturnType<ReturnType<typeof refundOrder>> | undefined;
    deps.ledger.findByKey = async (key) => {
      const found = await findByKey(key);
      if (key === refundKey(order.id) && !other) {
        other = refundOrder(deps)(order.id); // deducts after our read said "none yet"
        await other;
      }
      return found;
    };
    const mine = must(await refundOrder(deps)(order.id));
    const theirs = must(await other!);
    expect(mine.deduction).toEqual(theirs.deduction);
    expect(mine.deduction?.amount).toBe(-100);
  });

  it('starts a new attempt only when the operator names the failed one, once', async () => {
    const { deps, provider } = refundDeps({ initial: 'CLOSED', later: 'CLOSED' });
    const order = await completedOrder(deps);
    const closed = must(await refundOrder(deps)(order.id));
    expect([closed.state, closed.reversal?.amount, await balanceOf(deps)]).toEqual(['closed', 100, 100]);
    expect(must(await refundOrder(deps)(order.id)).attempt).toEqual(closed.attempt);

    provider.script.initial = 'SUCCESS';
    const retries = await Promise.all(
      [1, 2, 3].map(() => refundOrder(deps)(order.id, { retryOf: closed.attempt.outRefundNo })),
    );
    const second = must(retries[0]!);
    for (const r of retries) expect(must(r).attempt).toEqual(second.attempt);
    expect([second.attempt.attempt, second.state, second.order.status]).toEqual([2, 'succeeded', 'refunded']);
    expect(second.deduction?.idempotencyKey).toBe(refundKey(order.id, 2));
    expect(new Set(provider.sent)).toEqual(new Set([closed.attempt.outRefundNo, second.attempt.outRefundNo]));
    expect((await entries(deps)).map((e) => e.amount)).toEqual([-100, 100, -100, 100]);
    expect(await refundOrder(deps)(order.id, { retryOf: 'Rsomething-else' })).toEqual({
      ok: false,
      error: { kind: 'refund_retry_invalid' },
    });
  });

  it('records an outright refusal as failed and gives the credits back', async () => {
    const { deps } = refundDeps({ initial: 'SUCCESS', later: 'SUCCESS', reject: true });
    const order = await completedOrder(deps);
    const view = must(await refundOrder(deps)(order.id));
    expect([view.state, view.reversal?.idempotencyKey]).toEqual([
      'failed',
      reversalKey(view.attempt.outRefundNo),
    ]);
    expect(await balanceOf(deps)).toBe(100);
  });
});

describe('followRefund and followRefunds', () => {
  it('queries a PROCESSING refund and records SUCCESS: the order becomes refunded', async () => {
    const { deps, provider } = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(deps);
    must(await refundOrder(deps)(order.id));
    expect(must(await followRefund(deps)(order.id)).state).toBe('processing');
    expect((await deps.orders.findById(order.id))?.status).toBe('completed');
    provider.script.later = 'SUCCESS';
    const done = must(await followRefund(deps)(order.id));
    expect([done.state, done.order.status, done.finishedAt]).toEqual([
      'succeeded',
      'refunded',
      deps.clock.now(),
    ]);
    expect((await deps.orders.findById(order.id))?.refundTime).toEqual(done.finishedAt);
    expect(must(await followRefund(deps)(order.id))).toEqual(done);
    expect(await followRefund(deps)(999)).toEqual({ ok: false, error: { kind: 'order_not_found' } });
  });

  it('gives credits back exactly once under concurrent follows and duplicate notices after CLOSED', async () => {
    const { deps, provider } = refundDeps({ initial: 'PROCESSING', later: 'CLOSED' });
    const order = await completedOrder(deps);
    const started = must(await refundOrder(deps)(order.id));
    const notice = {
      outRefundNo: started.attempt.outRefundNo,
      outTradeNo: order.orderNo,
      refundId: started.refundId!,
      status: 'CLOSED' as const,
      refundFen: 990,
    };
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => followRefund(deps)(order.id)),
      ...Array.from({ length: 3 }, () => handleRefundNotice(deps)(notice)),
    ]);
    for (const r of results) expect(must(r).state).toBe('closed');
    expect((await entries(deps)).map((e) => [e.amount, e.idempotencyKey])).toEqual([
      [100, reversalKey(started.attempt.outRefundNo)],
      [-100, refundKey(order.id)],
      [100, `purchase:${order.id}`],
    ]);
    expect(provider.sent).toHaveLength(1);
  });

  it('follows only unfinished attempts older than the threshold, and never deducts for an undecided one', async () => {
    const { deps, provider, clock } = refundDeps({ initial: 'PROCESSING', later: 'SUCCESS' });
    const a = await completedOrder(deps);
    must(await refundOrder(deps)(a.id));
    // An attempt claimed by a call that stopped before its deduction: only the admin may decide it.
    const b = await completedOrder(deps);
    await deps.refunds.claim({
      orderId: b.id,
      attempt: 1,
      outRefundNo: 'Rundecided',
      refundFen: 990,
      reason: 'x',
      createdAt: clock.now(),
    });
    const follow = followRefunds(deps, 60_000);
    expect(await follow()).toEqual({ succeeded: 0, gaveUp: 0, processing: 0, waiting: 0, unresolved: 0 });
    clock.advance(61_000);
    expect(await follow()).toEqual({ succeeded: 1, gaveUp: 0, processing: 0, waiting: 1, unresolved: 0 });
    expect(await follow()).toEqual({ succeeded: 0, gaveUp: 0, processing: 0, waiting: 1, unresolved: 0 });
    expect((await deps.orders.findById(a.id))?.status).toBe('refunded');
    expect(await deps.ledger.findByKey(refundKey(b.id))).toBeNull();
    expect(provider.sent).toHaveLength(1);
  });
});

describe('handleRefundNotice', () => {
  async function processing() {
    const ctx = refundDeps({ initial: 'PROCESSING', later: 'PROCESSING' });
    const order = await completedOrder(ctx.deps);
    const view = must(await refundOrder(ctx.deps)(order.id));
    const notice = {
      outRefundNo: view.attempt.outRefundNo,
      outTradeNo: order.orderNo,
      refundId: view.refundId!,
      status: 'SUCCESS' as const,
      refundFen: 990,
    };
    return { ...ctx, order, notice };
  }

  it('records a SUCCESS notice and projects the order refunded, without asking the provider', async () => {
    const { deps, order, notice, provider } = await processing();
    const view = must(await handleRefundNotice(deps)(notice));
    expect([view.state, view.order.status]).toEqual(['succeeded', 'refunded']);
    expect((await deps.orders.findById(order.id))?.status).toBe('refunded');
    expect(provider.sent).toHaveLength(1);
  });

  it('rejects an unknown refund and one that does not match our attempt, recording nothing', async () => {
    const { deps, notice, logs } = await processing();
    const invalid = (message: string) => ({
      ok: false as const,
      error: { kind: 'notification_invalid' as const, message },
    });
    expect(await handleRefundNotice(deps)({ ...notice, outRefundNo: 'Runknown' })).toEqual(
      invalid('退款单不存在'),
    );
    expect(await handleRefundNotice(deps)({ ...notice, refundFen: 1 })).toEqual(
      invalid('退款通知与退款单不符'),
    );
    expect(await handleRefundNotice(deps)({ ...notice, outTradeNo: 'Pother' })).toEqual(
      invalid('退款通知与退款单不符'),
    );
    expect((await deps.refunds.events(notice.outRefundNo)).map((e) => e.stage)).toEqual(['processing']);
    expect(logs.map((l) => l.event)).toEqual([
      'refund.unknown_notice',
      'refund.notice_mismatch',
      'refund.notice_mismatch',
    ]);
  });

  it('keeps the first outcome when a later answer contradicts it, and logs the conflict', async () => {
    const { deps, notice, logs } = await processing();
    must(await handleRefundNotice(deps)({ ...notice, status: 'CLOSED' }));
    const later = must(await handleRefundNotice(deps)(notice));
    expect(later.state).toBe('closed');
    expect(await balanceOf(deps)).toBe(100);
    expect(logs.some((l) => l.event === 'refund.outcome_conflict')).toBe(true);
  });
});

describe('the refund ledger under any script (property)', () => {
  it('deducts once, gives back exactly what it took when the refund gives up, never goes below zero', async () => {
    const scenario = fc.record({
      credits: fc.integer({ min: 1, max: 300 }),
      extra: fc.nat(300),
      spent: fc.nat(600),
      force: fc.boolean(),
      initial: fc.constantFrom('SUCCESS' as const, 'PROCESSING' as const),
      later: fc.constantFrom(
        'SUCCESS' as const,
        'CLOSED' as const,
        'ABNORMAL' as const,
        'PROCESSING' as const,
      ),
      reject: fc.constantFrom(false, false, false, true),
      loseAnswers: fc.nat(2),
      callers: fc.integer({ min: 1, max: 4 }),
      follows: fc.nat(3),
      notices: fc.nat(2),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async (p) => {
        const { deps, provider } = refundDeps({
          initial: p.initial,
          later: p.later,
          reject: p.reject,
          loseAnswers: p.loseAnswers,
        });
        const spent = Math.min(p.spent, p.credits + p.extra);
        const order = await completedOrder(deps, p.credits, { extra: p.extra, spent });
        const before = await balanceOf(deps);
        const refund = () => refundOrder(deps)(order.id, { force: p.force });
        const notice = async () => {
          const a = (await deps.refunds.attempts(order.id))[0];
          if (!a || provider.book.get(a.outRefundNo)?.status !== 'SUCCESS') return;
          await handleRefundNotice(deps)({
            outRefundNo: a.outRefundNo,
            outTradeNo: order.orderNo,
            refundId: provider.book.get(a.outRefundNo)!.refundId,
            status: 'SUCCESS',
            refundFen: 990,
          });
        };
        const calls = await Promise.all([
          ...Array.from({ length: p.callers }, refund),
          ...Array.from({ length: p.follows }, () => followRefund(deps)(order.id)),
          ...Array.from({ length: p.notices }, notice),
        ]);
        const answers = calls.slice(0, p.callers) as Awaited<ReturnType<typeof refund>>[];

        if (!p.force && before < p.credits) {
          for (const a of answers)
            expect(a).toEqual({ ok: false, error: { kind: 'refund_insufficient_credits' } });
          expect(provider.sent).toEqual([]);
          expect(await balanceOf(deps)).toBe(before);
          return;
        }
        let last = answers.at(-1)!;
        for (let i = 0; i < 3 && !last.ok; i++) last = await refund(); // lost answers: the same call goes on
        const view = must(last);
        const ok = answers.filter((a) => a.ok).map((a) => must(a));
        for (const a of ok) expect([a.attempt, a.deduction]).toEqual([view.attempt, view.deduction]);

        const taken = Math.min(before, p.credits);
        expect(view.deduction?.amount).toBe(0 - taken);
        expect(new Set(provider.sent).size).toBe(1);
        const final = must(await followRefund(deps)(order.id));
        const ended = {
          SUCCESS: 'succeeded',
          CLOSED: 'closed',
          ABNORMAL: 'abnormal',
          PROCESSING: 'processing',
        } as const;
        expect(final.state).toBe(p.reject ? 'failed' : ended[p.initial === 'SUCCESS' ? 'SUCCESS' : p.later]);
        const back = gaveUp(final.state) && taken > 0 ? taken : 0;
        expect(final.reversal?.amount ?? 0).toBe(back);
        expect(await balanceOf(deps)).toBe(before - taken + back);
        expect((await deps.orders.findById(order.id))?.status).toBe(
          final.state === 'succeeded' ? 'refunded' : 'completed',
        );
        const all = await entries(deps);
        expect(all.reduce((sum, e) => sum + e.amount, 0)).toBe(await balanceOf(deps));
        expect(all.every((e) => e.balanceAfter >= 0)).toBe(true);
        expect(all.map((e) => e.seq).sort((x, y) => x - y)).toEqual(all.map((_, i) => i + 1));
      }),
      { numRuns: 150 },
    );
  });
});
