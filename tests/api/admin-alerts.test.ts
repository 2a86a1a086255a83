import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { AlertService } from '../../src/app/alerts';
import { newStoredAlert } from '../../src/domain/alert';
import { anAlert } from '../contract/alert-outbox.contract';
import { anOrder } from '../support/builders';
import { auditAndWait, type HttpHarness, httpHarness } from './harness';

let h: HttpHarness;
const anOrderFor = (userId: number) => anOrder({ userId, createdAt: new Date(), updatedAt: new Date() });
let admin: string;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['alert-boss'] });
  admin = (await h.login('alert-boss')).token;
});
afterAll(() => h.stop());

describe('GET /api/admin/alerts', () => {
  it('lists the outbox newest first, one state at a time when asked, paged', async () => {
    const outbox = h.deps.alertOutbox!;
    const at = (m: number) => new Date(Date.UTC(2026, 10, 27, 2, m));
    await outbox.add(newStoredAlert(anAlert({ key: 'a' }), at(1), true));
    await outbox.add(
      newStoredAlert(anAlert({ key: 'b', kind: 'review_queue', severity: 'warning' }), at(2), true),
    );
    await outbox.project(newStoredAlert(anAlert({ key: 'a' }), at(1), true).id, {
      state: 'sent',
      attempts: 1,
      sentAt: at(1),
    });
    const all = await h.request('GET', '/api/admin/alerts', { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.map((a: { key: string }) => a.key)).toEqual(['b', 'a']);
    expect(all.body[1]).toEqual({
      id: newStoredAlert(anAlert({ key: 'a' }), at(1), true).id,
      kind: 'second_payment',
      key: 'a',
      severity: 'critical',
      title: '订单 P1 重复支付',
      text: '请退款',
      facts: { order_id: 1, settled_payment: '4200a', second: null, refundable: true },
      state: 'sent',
      attempts: 1,
      raised_at: '2026-11-27T10:01:00',
      sent_at: '2026-11-27T10:01:00',
      next_attempt_at: '2026-11-27T10:01:00',
      last_error: null,
      summary_id: null,
    });
    const pending = await h.request('GET', '/api/admin/alerts?state=pending', { token: admin });
    expect(pending.body.map((a: { key: string }) => a.key)).toEqual(['b']);
    const second = await h.request('GET', '/api/admin/alerts?skip=1&limit=1', { token: admin });
    expect(second.body.map((a: { key: string }) => a.key)).toEqual(['a']);
  });

  it('refuses an unknown state (400), a user (403) and no token (401)', async () => {
    expect((await h.request('GET', '/api/admin/alerts?state=lost', { token: admin })).status).toBe(400);
    const user = (await h.login('alert-user')).token;
    expect((await h.request('GET', '/api/admin/alerts', { token: user })).status).toBe(403);
    expect((await h.request('GET', '/api/admin/alerts')).status).toBe(401);
  });

  it('lists the alert an audit with violations raised', async () => {
    const u = await h.login('alert-audited');
    // A settlement without its grant: the audit's settlement_purchase and order_status rules break.
    const order = await h.deps.orders.create({ ...anOrderFor(u.user.id) });
    await h.deps.settlements.record({
      orderId: order.id,
      paymentId: '4200audit',
      amountFen: 990,
      settledAt: new Date(),
      source: 'callback',
    });
    const { report } = await auditAndWait(h, admin);
    expect(report.ok).toBe(false);
    await (h.deps.alerts as AlertService).idle();
    const [raised] = (await h.request('GET', '/api/admin/alerts', { token: admin })).body;
    expect(raised).toMatchObject({ kind: 'audit_violation', severity: 'critical', state: 'logged' });
    expect(raised.facts).toEqual(report.violations);
  });
});
