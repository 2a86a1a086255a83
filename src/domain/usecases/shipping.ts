import type { Order } from '../order';
import type { Check, Checks, Shipments, ShippingInfo } from '../ports';
import { itemDescription, nextShippingAttempt, type ShippingResult } from '../shipping';
import { gatherDue, minuteOf, RECENT_MINUTES } from './checks';
import type { Deps } from './deps';

/** Shipping uploads for WeChat Pay orders (SHIPPING_UPLOAD=on); absent = none. */
export interface ShippingDeps {
  /** Uploads to do, bucketed by minute (the sweeper's queue shape, a queue of its own). */
  readonly queue: Checks;
  readonly shipments: Shipments;
  readonly info: ShippingInfo;
}

/**
 * Files the order's upload, due now. Called before the credits are granted, so a crash after the
 * grant leaves the task behind; a task that finds the order not yet credited waits for it.
 */
export async function queueShipping(deps: Pick<Deps, 'clock'>, shipping: ShippingDeps, orderNo: string) {
  await shipping.queue.schedule({ orderNo, dueMinute: minuteOf(deps.clock.now()), attempt: 0 });
}

export type ShippingVerdict =
  | ShippingResult['kind']
  | 'waiting'
  | 'settling'
  | 'skipped'
  | 'claimed'
  | 'gave_up';

/** Tasks one run reads at most; the rest wait for the next run. */
const MAX_TASKS = 200;

/**
 * One run of the shipping job: every due task is claimed by one instance per minute (and per order,
 * so two tasks of one order never upload at once), then uploaded once. The insert-only shipment
 * record ends the order's story; failures are retried with back-off for about a day, then — like a
 * refusal by WeChat — handed to a human as a review.
 */
export function uploadDueShipping(deps: Deps, shipping: ShippingDeps) {
  let forgottenUpTo: number | undefined;
  const once = async (task: Check, now: Date): Promise<ShippingVerdict> => {
    const runMinute = minuteOf(now);
    // The task is filed just before the grant. A run that sees it in between must not take this
    // minute's claims (nor an attempt): the next run, seconds later, finds the order credited.
    if (task.attempt === 0 && task.dueMinute >= runMinute - 1) {
      const current = await deps.orders.findByOrderNo(task.orderNo);
      if (current?.status === 'paid') return 'settling';
    }
    if (!(await shipping.queue.claim(task, runMinute))) return 'claimed';
    const lease = await deps.onceKeys.claim(
      `shipping:${task.orderNo}:${runMinute}`,
      new Date((runMinute + 2) * 60_000),
    );
    if (!lease.first) return 'claimed';
    const order = await deps.orders.findByOrderNo(task.orderNo);
    if (!order) return 'skipped';
    if (await shipping.shipments.find(order.id)) return 'already_shipped';
    // Refunded before it was shipped: nothing to tell WeChat any more.
    if (order.status === 'refunded') return 'skipped';
    if (order.status !== 'completed') return 'waiting';
    const result = await upload(order, now);
    if (result.kind === 'uploaded' || result.kind === 'already_shipped') {
      const { created } = await shipping.shipments.record({
        orderId: order.id,
        orderNo: order.orderNo,
        result: result.kind,
        at: now,
      });
      if (created) deps.log('shipping.uploaded', { order_id: order.id, result: result.kind });
      return result.kind;
    }
    deps.log(result.kind === 'retry' ? 'shipping.upload_failed' : 'shipping.upload_rejected', {
      order_id: order.id,
      attempt: task.attempt,
      reason: result.reason,
    });
    if (result.kind === 'rejected') await review(order, result.reason, now);
    return result.kind;
  };

  const upload = async (order: Order, now: Date): Promise<ShippingResult> => {
    const [settlement, user] = await Promise.all([
      deps.settlements.find(order.id),
      deps.users.findById(order.userId),
    ]);
    if (!user) return { kind: 'rejected', reason: 'payer unknown' };
    return shipping.info.upload({
      orderNo: order.orderNo,
      transactionId: settlement?.paymentId ?? null,
      payerOpenid: user.openid,
      itemDesc: itemDescription(order.productName, order.credits),
      uploadedAt: now,
    });
  };

  const review = (order: Order, detail: string, now: Date) =>
    deps.reviews.open({
      orderId: order.id,
      orderNo: order.orderNo,
      reason: 'shipping_failed',
      detail: `发货信息上传（upload_shipping_info）：${detail}`.slice(0, 500),
      createdAt: now,
    });

  return async (): Promise<Record<string, number>> => {
    const now = deps.clock.now();
    const nowMinute = minuteOf(now);
    const { checks: tasks, firstLeft } = await gatherDue(shipping.queue, nowMinute, MAX_TASKS);
    const tally: Record<string, number> = {};
    let oldestLeft = firstLeft;
    for (const task of tasks) {
      let verdict: ShippingVerdict;
      try {
        verdict = await once(task, now);
      } catch (e) {
        deps.log('shipping.task_failed', {
          order_no: task.orderNo,
          error: e instanceof Error ? e.message : String(e),
        });
        verdict = 'retry';
      }
      tally[verdict] = (tally[verdict] ?? 0) + 1;
      if (verdict === 'claimed' || verdict === 'settling') {
        // In another instance's hands (which may die), or left for the next run: the cursor must
        // not pass it.
        oldestLeft = Math.min(oldestLeft, task.dueMinute);
        continue;
      }
      if (verdict === 'retry' || verdict === 'waiting') {
        const next = nextShippingAttempt(task.attempt, nowMinute, task.dueMinute);
        if (next === null) {
          const order = await deps.orders.findByOrderNo(task.orderNo);
          if (order) await review(order, `gave up after ${task.attempt + 1} attempts`, now);
          tally.gave_up = (tally.gave_up ?? 0) + 1;
        } else
          await shipping.queue.schedule({
            orderNo: task.orderNo,
            dueMinute: next,
            attempt: task.attempt + 1,
          });
      }
      await shipping.queue.complete(task);
    }
    await shipping.queue.setCursor(Math.min(oldestLeft, nowMinute - RECENT_MINUTES));
    // Claims of past minutes, deleted one minute (one equality) at a time.
    const upTo = nowMinute - 10;
    for (let m = (forgottenUpTo ?? upTo - 60) + 1; m <= upTo; m++) await shipping.queue.forgetClaims(m);
    forgottenUpTo = upTo;
    if (tasks.length > 0) deps.log('shipping.run', { ...tally, tasks: tasks.length });
    return tally;
  };
}
