import { describe, expect, it } from 'bun:test';
import { MemoryAlertOutbox } from '../../src/adapters/memory/alerts';
import { MemoryRateWindows } from '../../src/adapters/memory/limits';
import { MemoryStatementReports } from '../../src/adapters/memory/statement-reports';
import { FixedClock } from '../../src/adapters/system/clock';
import { alertingReviews, alertService } from '../../src/app/alerts';
import { type Alert, MAX_DELIVERY_ATTEMPTS, type StoredAlert } from '../../src/domain/alert';
import { auditAlert, statementAlert } from '../../src/domain/alert-kinds';
import type { AlertChannel } from '../../src/domain/ports';
import { err, ok } from '../../src/domain/result';
import { dailyAudit, reviewOpenedAlerts, watchForAlerts } from '../../src/domain/usecases/alert-watch';
import { type AlertDeps, deliverAlerts, recordAlert } from '../../src/domain/usecases/alerts';
import { minuteOf } from '../../src/domain/usecases/checks';
import { settleOrder } from '../../src/domain/usecases/settle';
import { reconcileStatement } from '../../src/domain/usecases/statement';
import { anAlert } from '../contract/alert-outbox.contract';
import { anOrder, T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

/** Collects what the use cases raise (the port's contract: a call, nothing awaited). */
const collecting = () => {
  const raised: Alert[] = [];
  return { raised, alerts: { raise: (a: Alert) => void raised.push(a) } };
};

/** A channel that answers from a script (then ok) and keeps what it was given. */
function scriptedChannel(...answers: boolean[]) {
  const sent: StoredAlert[] = [];
  const channel: AlertChannel = {
    async send(a) {
      sent.push(a);
      return answers.shift() === false ? err({ message: 'HTTP 502' }) : ok(undefined);
    },
  };
  return { sent, channel };
}

function outboxDeps(channel?: AlertChannel) {
  const clock = new FixedClock(T0);
  const deps: AlertDeps = {
    alertOutbox: new MemoryAlertOutbox(),
    rateWindows: new MemoryRateWindows(),
    clock,
    log: () => {},
    ...(channel ? { alertChannel: channel } : {}),
  };
  return { deps, clock };
}

describe('alert triggers', () => {
  it('a second payment of one order raises one alert however often it is delivered', async () => {
    const { deps } = domainDeps();
    const outbox = new MemoryAlertOutbox();
    const service = alertService(
      { alertOutbox: outbox, rateWindows: deps.rateWindows, clock: deps.clock, log: deps.log },
      { perMinute: 20 },
    );
    const withAlerts = { ...deps, alerts: service };
    const order = await deps.orders.create(anOrder());
    const paid = (paymentId: string) =>
      settleOrder(withAlerts)(order, { paymentId, amountFen: 990, paidAt: T0, source: 'callback' });
    await paid('4200first');
    await paid('4200first'); // a duplicate of the first payment is no alert
    await service.idle();
    expect(await outbox.list({}, { skip: 0, limit: 10 })).toEqual([]);
    for (let i = 0; i < 3; i++) await paid('4200second');
    await service.idle();
    const alerts = await outbox.list({}, { skip: 0, limit: 10 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'second_payment',
      key: `${order.id}:4200second`,
      severity: 'critical',
      state: 'logged', // no webhook configured: recorded and listed only
      facts: { settled_payment: '4200first', second_payment: '4200second' },
    });
  });

  it('a statement run with differences raises one alert; a clean one none', async () => {
    const { deps } = domainDeps();
    const { raised, alerts } = collecting();
    let trades: { outTradeNo: string; transactionId: string; amountFen: number; paidAt: Date }[] = [];
    const sdeps = {
      ...deps,
      alerts,
      statementReports: new MemoryStatementReports(),
      statements: { download: async (date: string) => ok({ date, trades, refunds: [] }) },
    };
    await reconcileStatement(sdeps)('2023-06-29');
    expect(raised).toEqual([]);
    // T0's day (2023-07-01) is not over: a run for it is provisional and raises nothing.
    trades = [{ outTradeNo: 'P-unknown', transactionId: '4200x', amountFen: 990, paidAt: T0 }];
    await reconcileStatement(sdeps)('2023-07-01');
    expect(raised).toEqual([]);
    await reconcileStatement(sdeps)('2023-06-30');
    await reconcileStatement(sdeps)('2023-06-30'); // the stored report: nothing new
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      kind: 'statement_difference',
      key: '2023-06-30',
      severity: 'critical',
      facts: { differences: 1, unhealed: 1, missing_here: 1 },
    });
  });

  it('finds orders paid longer ago than the limit by status, and stays quiet about fresh ones', async () => {
    const { deps, clock } = domainDeps();
    const { raised, alerts } = collecting();
    const watch = watchForAlerts({ ...deps, alerts }, { paidNotCompletedMinutes: 10 });
    const paidAt = (minutesAgo: number) => new Date(clock.now().getTime() - minutesAgo * 60_000);
    const stuck = await deps.orders.create(anOrder({ status: 'paid', paymentTime: paidAt(11) }));
    await deps.orders.create(anOrder({ status: 'paid', paymentTime: paidAt(3) }));
    await deps.orders.create(anOrder({ status: 'completed', paymentTime: paidAt(60) }));
    await watch();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      kind: 'paid_not_completed',
      key: 'orders',
      facts: { count: 1, oldest_order_id: stuck.id, oldest_minutes: 11 },
    });
  });

  it('raises once per newly opened review (not for a repeat), and hourly above the threshold', async () => {
    const { deps, clock } = domainDeps();
    const { raised, alerts } = collecting();
    const reviews = alertingReviews(deps.reviews, reviewOpenedAlerts({ ...deps, alerts }, 2), () => {});
    const watched = { ...deps, reviews };
    const open = async (orderId: number) => {
      await watched.reviews.open({
        orderId,
        orderNo: `P${orderId}`,
        reason: 'unresolved',
        detail: 'last: provider_unavailable',
        createdAt: clock.now(),
      });
      await Bun.sleep(0); // the alert is raised in the background
    };
    await open(1);
    await open(1); // opened again (another instance, a repeat): not new
    expect(raised.map((a) => a.key)).toEqual(['grew:1:unresolved']);
    expect(raised[0]).toMatchObject({ kind: 'review_queue', at: clock.now(), facts: { open: 1 } });
    await open(2);
    await watched.reviews.open({
      orderId: 3,
      orderNo: 'P3',
      reason: 'second_payment', // its own alert says it: counted, not announced again
      detail: 'settled 4200a, also paid 4200b',
      createdAt: clock.now(),
    });
    await Bun.sleep(0);
    expect(raised.map((a) => a.key)).toEqual(['grew:1:unresolved', 'grew:2:unresolved', 'above_threshold']);
    expect(raised[2]).toMatchObject({ title: '待人工处理事项超过 2 个', facts: { open: 3, threshold: 2 } });
  });

  it('gives up a daily audit whose process is stopping: no report, no alert, audit.stopped logged', async () => {
    const { deps, logs } = domainDeps({ clock: new FixedClock(new Date('2023-07-01T20:00:00Z')) }); // 04:00 Beijing
    const { raised, alerts } = collecting();
    await deps.reviews.open({
      orderId: 1,
      orderNo: 'P1',
      reason: 'second_payment',
      detail: 'settled 4200a, also paid 4200b',
      createdAt: deps.clock.now(),
    });
    // Stopping before the date is claimed: left to an instance that will finish it.
    expect(await dailyAudit({ ...deps, alerts }, 4, () => true)()).toBe(false);
    // Stopping once the scan has begun (the date claimed): given up at the next record.
    let claimed = false;
    const checks = Object.assign(Object.create(deps.checks), {
      claimOnce: async (key: string) => {
        claimed = true;
        return deps.checks.claimOnce(key);
      },
    });
    expect(await dailyAudit({ ...deps, checks, alerts }, 4, () => claimed)()).toBe(true);
    expect(await deps.auditReports.latest()).toBeNull();
    expect(raised).toHaveLength(0);
    expect(logs.map((l) => l.event)).toContain('audit.stopped');
    expect(logs.find((l) => l.event === 'audit.stopped')?.fields).toEqual({ trigger: 'daily' });
  });

  it('runs the audit once per Beijing date from its hour, and raises violations', async () => {
    const { deps, clock } = domainDeps({ clock: new FixedClock(new Date('2023-07-01T19:00:00Z')) }); // 03:00 Beijing
    const { raised, alerts } = collecting();
    const audit = dailyAudit({ ...deps, alerts }, 4);
    expect(await audit()).toBe(false);
    clock.advance(60 * 60_000); // 04:00
    await deps.reviews.open({
      orderId: 1,
      orderNo: 'P1',
      reason: 'second_payment',
      detail: 'settled 4200a, also paid 4200b',
      createdAt: clock.now(),
    });
    expect(await audit()).toBe(true);
    expect(await deps.auditReports.latest()).toMatchObject({
      trigger: 'daily',
      startedAt: clock.now(),
      report: { ok: false, violations: { review_queue: 1 } },
    });
    expect(await audit()).toBe(false); // that date is done, on every instance
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      kind: 'audit_violation',
      key: 'review_queue=1',
      facts: { review_queue: 1 },
    });
  });
});

describe('alert texts', () => {
  it('name audit rules and statement differences in Chinese and send operators to the console', () => {
    const audit = auditAlert({ review_queue: 1, settlement_purchase: 2 });
    expect(audit.severity).toBe('critical');
    expect(audit.text).toContain('结算与积分发放（settlement_purchase）2 处');
    expect(audit.text).toContain('控制台「复核」页');
    // Open reviews alone were each announced when opened: a reminder, not a new emergency.
    expect(auditAlert({ review_queue: 3 }).severity).toBe('warning');
    const statement = statementAlert('2023-06-30', [
      { kind: 'missing_here', outTradeNo: 'P1', amountFen: 990, healed: true },
      { kind: 'refund_amount_mismatch', outRefundNo: 'R1', ours: 990, theirs: 500 },
    ]);
    expect(statement.text).toContain('对方有支付、本地未结算 1 处，退款金额不一致 1 处');
    expect(statement.text).toContain('/admin/statements/2023-06-30');
    expect(statement.text).not.toMatch(/missing_here|refund_amount_mismatch/);
  });
});

describe('alert delivery', () => {
  it('records without a webhook (state logged) and delivers nothing', async () => {
    const { deps } = outboxDeps();
    await recordAlert(deps)(anAlert());
    expect(await deliverAlerts(deps, { perMinute: 20 })()).toEqual({
      sent: [],
      failed: [],
      suppressed: [],
      gaveUp: [],
    });
    expect((await deps.alertOutbox.list({}, { skip: 0, limit: 1 }))[0]?.state).toBe('logged');
  });

  it('takes over the alert of an instance that claimed it and died, one minute later', async () => {
    const { sent, channel } = scriptedChannel();
    const { deps, clock } = outboxDeps(channel);
    const stored = await recordAlert(deps)(anAlert());
    // Another instance claimed this minute and never recorded an outcome (it crashed, or is still sending).
    await deps.alertOutbox.claim(stored!.id, minuteOf(clock.now()), clock.now());
    const deliver = deliverAlerts(deps, { perMinute: 20 });
    await deliver();
    clock.advance(60_000);
    await deliver(); // the claimer may still be sending: leave it
    expect(sent).toHaveLength(0);
    clock.advance(60_000);
    await deliver();
    expect(sent.map((a) => a.id)).toEqual([stored!.id]);
  });

  it('gives up after about a day of failures and keeps the alert listed as failed', async () => {
    const { sent, channel } = scriptedChannel(...Array<boolean>(MAX_DELIVERY_ATTEMPTS).fill(false));
    const { deps, clock } = outboxDeps(channel);
    await recordAlert(deps)(anAlert());
    const deliver = deliverAlerts(deps, { perMinute: 20 });
    let gaveUp = 0;
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 5; i++) {
      gaveUp += (await deliver()).gaveUp.length;
      clock.advance(60 * 60_000);
    }
    expect(sent).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(gaveUp).toBe(1);
    const [alert] = await deps.alertOutbox.list({}, { skip: 0, limit: 1 });
    expect(alert).toMatchObject({ state: 'failed', attempts: MAX_DELIVERY_ATTEMPTS, lastError: 'HTTP 502' });
  });
});
