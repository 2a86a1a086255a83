import { STATUS_TEXT } from '../../../domain/csv';
import {
  AUDIT_ACTION_TEXT,
  AUDIT_TARGET_KINDS,
  type AuditDayQuery,
  type AuditTargetKind,
  type OperatorAuditEntry,
} from '../../../domain/operators/audit';
import { normalizeUsername, type OperatorRole, ROLE_LABELS } from '../../../domain/operators/operator';
import type { OrderStatus } from '../../../domain/order';
import type { RefundState } from '../../../domain/refund';
import { localDay } from '../../../domain/time';
import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { html } from '../html';
import { pageOf, pager } from '../pager';
import { when, yuan } from '../view';
import { REFUND_STATE_TEXT } from './order-detail';

const KIND_LABELS: Readonly<Record<AuditTargetKind, string>> = {
  order: '订单',
  user: '用户',
  product: '商品',
  operator: '操作员',
  review: '复核',
  statement: '对账',
  integrity: '数据核查',
};

/** The recorded fields, as the pages that changed them call them. */
const FIELD_TEXT: Readonly<Record<string, string>> = {
  name: '名称',
  description: '描述',
  credits: '积分',
  priceFen: '价格',
  imageUrl: '图片地址',
  sortOrder: '排序',
  isActive: '上架/启用',
  status: '订单状态',
  balance: '余额',
  amount: '积分变动',
  entryId: '流水ID',
  refund: '退款状态',
  outRefundNo: '退款单号',
  creditsTaken: '扣回积分',
  force: '强制退款',
  message: '结果',
  providerState: '支付平台状态',
  error: '错误',
  role: '角色',
  resolvedAt: '处理时间',
  resolution: '处理说明',
  matched: '核对一致',
  differences: '差异数',
  provisional: '今日临时结果（未保存）',
  report: '已有报告',
  id: 'ID',
  username: '用户名',
  disabled: '已停用',
  totp: '两步验证',
  version: '版本',
};

const fieldValue = (key: string, value: unknown, tz: string): string => {
  if (key.endsWith('Fen') && typeof value === 'number') return yuan(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date) return when(value, tz);
  if (key === 'status' && typeof value === 'string' && Object.hasOwn(STATUS_TEXT, value))
    return STATUS_TEXT[value as OrderStatus];
  if (key === 'refund' && typeof value === 'string' && Object.hasOwn(REFUND_STATE_TEXT, value))
    return REFUND_STATE_TEXT[value as RefundState];
  if (key === 'role' && typeof value === 'string' && Object.hasOwn(ROLE_LABELS, value))
    return `${ROLE_LABELS[value as OperatorRole]}（${value}）`;
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
};

/** before/after as labelled lines (amounts in yuan), bounded: a huge snapshot must not make the page huge. */
const snapshot = (value: unknown, tz: string) => {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date)
    return html`${fieldValue('', value, tz).slice(0, 2000)}`;
  const lines = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) =>
      html`<div><span class="muted">${FIELD_TEXT[k] ?? k}：</span>${fieldValue(k, v, tz).slice(0, 500)}</div>`,
  );
  return html`${lines.slice(0, 40)}`;
};

const entryRow = (e: OperatorAuditEntry, tz: string) => html`<tr data-action="${e.action}">
  <td>${when(e.at, tz)}</td>
  <td data-testid="actor">${e.actor.username}${e.actor.id === null ? html` <span class="muted">(未知)</span>` : ''}</td>
  <td>${e.ip}</td>
  <td>${AUDIT_ACTION_TEXT[e.action] ?? e.action} <code class="muted">${e.action}</code></td>
  <td>${KIND_LABELS[e.target.kind] ?? e.target.kind} <code>${e.target.id}</code></td>
  <td>${snapshot(e.before, tz)}</td>
  <td>${snapshot(e.after, tz)}</td>
  <td>${e.reason ?? ''}</td>
</tr>`;

/**
 * 审计日志: one local day at a time (default today), newest first, optionally one actor and/or one
 * target; every read an equality (see OperatorAudit). Readable by every role.
 */
export const auditLogPage = (deps: AppDeps) =>
  consolePage(deps).get(
    '/audit-log',
    async ({ query, render }) => {
      const tz = deps.settings.timeZone;
      const day = /^\d{4}-\d{2}-\d{2}$/.test(query.day ?? '')
        ? (query.day as string)
        : localDay(deps.clock.now(), tz);
      const actorName = normalizeUsername(query.actor ?? '').slice(0, 64);
      const kind = (AUDIT_TARGET_KINDS as readonly string[]).includes(query.kind ?? '')
        ? (query.kind as AuditTargetKind)
        : undefined;
      const targetId = (query.target ?? '').trim().slice(0, 128);
      const page = pageOf(query.page);
      const problems: string[] = [];
      let q: AuditDayQuery = { day };
      if (actorName) {
        const actor = await deps.operators.findByUsername(actorName);
        if (actor) q = { ...q, actorId: actor.id };
        else problems.push(`没有名为 ${actorName} 的操作员`);
      }
      if (kind && targetId) q = { ...q, target: { kind, id: targetId } };
      else if (kind || targetId) problems.push('按对象筛选需同时填写对象类型和 ID');
      const found = problems.length
        ? { entries: [], truncated: false }
        : await deps.operatorAudit.listDay(q, page);
      const shown = found.entries.slice(0, page.limit - 1);
      const params = { day, actor: actorName, kind: kind ?? '', target: targetId };
      return render({
        title: '审计日志',
        active: 'audit-log',
        flash: problems.length ? { kind: 'error', text: problems.join('；') } : null,
        body: html`<form method="get" action="/admin/audit-log" class="row">
  <label>日期 <input type="date" name="day" value="${day}" required></label>
  <label>操作员 <input name="actor" value="${actorName}" maxlength="32" placeholder="用户名"></label>
  <label>对象类型 <select name="kind"><option value="">全部</option>${AUDIT_TARGET_KINDS.map(
    (k) => html`<option value="${k}"${k === kind ? html` selected` : ''}>${KIND_LABELS[k]}</option>`,
  )}</select></label>
  <label>对象 ID <input name="target" value="${targetId}" maxlength="128"></label>
  <button type="submit">查询</button>
</form>
${found.truncated ? html`<p class="flash flash-error">当天某一小时的记录超过读取上限，结果可能不完整：请按操作员或对象筛选。</p>` : ''}
<table class="audit-log"><thead><tr><th>时间</th><th>操作员</th><th>IP</th><th>操作</th><th>对象</th><th>修改前</th><th>修改后</th><th>原因</th></tr></thead>
<tbody>${shown.length ? shown.map((e) => entryRow(e, tz)) : html`<tr><td colspan="8" class="muted">当天没有记录</td></tr>`}</tbody></table>
${pager('/admin/audit-log', page.n, found.entries.length > shown.length, params)}`,
      });
    },
    { detail: { hide: true } },
  );
