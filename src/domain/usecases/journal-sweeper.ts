import type { Check } from '../ports';
import { formatLocal } from '../time';
import type { Verdict } from './check-order';
import { type JournalDeps, journal } from './payment-journal';

/** What the sweeper decided about one order, for the order timeline. */
export interface SweeperDecision {
  readonly check: Check;
  /** The order's status when it was looked at; null when the order was not found. */
  readonly status: string | null;
  readonly verdict: Verdict;
  /** The next check filed, when the order is looked at again. */
  readonly next?: { readonly dueMinute: number; readonly attempt: number };
}

function describe(
  d: SweeperDecision,
  tz: string,
): { outcome: string; summary: string; message: string | null } {
  const v = d.verdict;
  switch (v.kind) {
    case 'done':
      if (v.outcome === 'completed')
        return { outcome: 'completed', summary: '对账巡检：已补单（确认支付并发放积分）', message: null };
      if (v.outcome === 'cancelled')
        return { outcome: 'cancelled', summary: '对账巡检：订单已过期，已在支付方关闭并取消', message: null };
      return { outcome: 'none', summary: '对账巡检：无需处理', message: null };
    case 'retry': {
      const when = d.next ? formatLocal(new Date(d.next.dueMinute * 60_000), tz) : '—';
      return {
        outcome: 'retry',
        summary: `对账巡检：尚未了结（${v.reason}），${when} 再查`,
        message: v.reason,
      };
    }
    case 'review':
      return { outcome: 'review', summary: `对账巡检：转人工复核（${v.reason}）`, message: v.detail };
    case 'deferred':
      return { outcome: 'deferred', summary: '对账巡检：本分钟调用额度已用完，留待下次', message: null };
    default:
      return { outcome: v.kind, summary: `对账巡检：${v.kind}`, message: null };
  }
}

/** Records a sweeper decision under the checked order (the reconciliation run calls it per check). */
export function recordSweeperDecision(deps: JournalDeps) {
  const record = journal(deps);
  return async (d: SweeperDecision): Promise<void> => {
    const { outcome, summary, message } = describe(d, deps.settings.timeZone);
    await record({
      orderNo: d.check.orderNo,
      at: deps.clock.now(),
      type: 'sweeper',
      action: 'check',
      outcome,
      message,
      summary,
      detail: {
        check: { due_minute: d.check.dueMinute, attempt: d.check.attempt },
        order_status: d.status,
        verdict: d.verdict,
        ...(d.next ? { next: { due_minute: d.next.dueMinute, attempt: d.next.attempt } } : {}),
      },
    });
  };
}
