// The alerts the console benches grow: one sent and one failed template made through the adapter,
// cloned for i in 1..size by PostgreSQL (bench/clones.ts), raised over 30 days by hour as the
// Dataset's orders are, with the list's directory (hour-directory.ts) those alerts would have written.
import type { Connection } from 'mongoose';
import { HourDirectory } from '../src/adapters/mongo/hour-directory';
import type { AlertOutbox } from '../src/domain/ports';
import type { Extra } from './clones';

/** Hours back from the present the clones are spread over (row i in hour nowHour - i % HOURS). */
const HOURS = 720;
/** Every FAILED_EVERY-th alert failed to send; the rest were sent. */
const FAILED_EVERY = 100;

export async function makeAlertTemplates(outbox: AlertOutbox, t: Date): Promise<void> {
  const alert = {
    kind: 'paid_not_completed' as const,
    key: '0',
    severity: 'warning' as const,
    title: '订单 B000000000000 已支付但未完成',
    text: '订单已支付超过 10 分钟仍未发放积分，请检查。',
    facts: { order_id: 0, amount_fen: 990 },
    at: t,
    raisedAt: t,
    attempts: 1,
    nextAttemptAt: t,
    summaryId: null,
  };
  await outbox.add({ ...alert, id: 'paid_not_completed:0:sent', state: 'sent', lastError: null, sentAt: t });
  await outbox.add({
    ...alert,
    id: 'paid_not_completed:0:failed',
    state: 'failed',
    lastError: 'webhook answered 500',
    sentAt: null,
  });
}

export function alertClones(nowHour: number): Extra {
  const hour = `(${nowHour} - (i % ${HOURS}))`;
  // The same instant as the Dataset gives order i (created_at).
  const at = `(${hour}::bigint * 3600000 + (i::bigint * 7919) % 3600000)`;
  const fields = {
    _id: `'paid_not_completed:' || i || ':' || ${hour}`,
    key: 'i::text',
    at,
    raised_at: at,
    next_attempt_at: at,
    exp: `(${at} / 60000 + 1)`,
    raised_hour: hour,
  };
  return {
    collection: 'alerts',
    variants: [
      {
        id: 'paid_not_completed:0:sent',
        where: `i % ${FAILED_EVERY} <> 0`,
        fields: { ...fields, sent_at: `${at} + 1000` },
      },
      { id: 'paid_not_completed:0:failed', where: `i % ${FAILED_EVERY} = 0`, fields },
    ],
  };
}

/** Writes the entries the clones' adds and deliveries would have written, and marks the list complete. */
export async function enterAlertHours(conn: Connection, size: number, nowHour: number): Promise<void> {
  const hours = new HourDirectory(conn, 'alert');
  const byKind = new Map<string, Set<number>>([
    ['all', new Set()],
    ['state:sent', new Set()],
    ['state:failed', new Set()],
  ]);
  for (let i = 1; i <= Math.min(size, HOURS * FAILED_EVERY); i++) {
    const hour = nowHour - (i % HOURS);
    byKind.get('all')!.add(hour);
    byKind.get(i % FAILED_EVERY === 0 ? 'state:failed' : 'state:sent')!.add(hour);
  }
  for (const [kind, set] of byKind) for (const hour of set) await hours.note([kind], hour);
  await hours.markComplete();
}
