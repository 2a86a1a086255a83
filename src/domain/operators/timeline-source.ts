import { redactRecord } from '../redact';
import { RANK, type TimelineItem } from '../timeline';
import type { TimelineSource } from '../usecases/timeline';
import { AUDIT_ACTION_TEXT, type OperatorAuditEntry } from './audit';
import { AUDIT_SCAN_CAP, type OperatorAudit } from './ports';

export function operatorActionItem(e: OperatorAuditEntry): TimelineItem {
  const what = AUDIT_ACTION_TEXT[e.action] ?? e.action;
  return {
    at: e.at,
    kind: 'operator_action',
    source: 'operator',
    key: `op:${e.id}`,
    rank: RANK.operator,
    summary: `操作员 ${e.actor.username}：${what}${e.reason ? `（原因：${e.reason}）` : ''}`,
    detail: redactRecord({
      actor: e.actor.username,
      ip: e.ip,
      action: e.action,
      before: e.before,
      after: e.after,
      reason: e.reason,
    }),
  };
}

/**
 * The operator audit log as a timeline source (usecases/timeline.ts `operatorActions`): the order's
 * entries, an equality on the target, newest first, at or before where the page ends.
 */
export function operatorActionsSource(deps: { readonly operatorAudit: OperatorAudit }): TimelineSource {
  return async (orderId, page) => {
    // The store reads up to AUDIT_SCAN_CAP of a target's entries whatever the page: take them all.
    const { entries } = await deps.operatorAudit.byTarget(
      { kind: 'order', id: String(orderId) },
      { skip: 0, limit: AUDIT_SCAN_CAP },
    );
    const before = page.before;
    return entries
      .filter((e) => !before || e.at <= before)
      .slice(0, page.limit)
      .map(operatorActionItem);
  };
}
