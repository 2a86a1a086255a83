import { ENTRY_TEXT } from '../../../domain/csv';
import { balanceOf, type LedgerEntry } from '../../../domain/ledger';
import { canDo } from '../../../domain/operators/operator';
import { adjustCredits, updateUser, userTransactions } from '../../../domain/usecases/admin';
import { exportLedger } from '../../../domain/usecases/export';
import type { User } from '../../../domain/user';
import type { AppDeps } from '../../http/context';
import { httpError } from '../../http/errors';
import { audit, consolePage, requireRole } from '../auth';
import { csvResponse } from '../csv-response';
import { formFields } from '../form';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { pageOf, pager } from '../pager';
import { emptyRow, keep, LIST_SIZE, positiveInt, when } from '../view';

const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const MAX_ADJUST = 100_000_000;

const ledgerTable = (entries: LedgerEntry[], tz: string) =>
  html`<table class="grid" data-testid="ledger"><thead><tr><th>时间</th><th>类型</th><th>变动</th><th>余额</th><th>说明</th><th>订单</th></tr></thead><tbody>
${entries.length === 0 ? emptyRow(6, '没有流水') : entries.map((e) => html`<tr><td>${when(e.createdAt, tz)}</td><td>${ENTRY_TEXT[e.type]}</td><td class="num ${e.amount < 0 ? 'neg' : 'pos'}">${e.amount > 0 ? '+' : ''}${e.amount}</td><td class="num">${e.balanceAfter}</td><td>${e.description}</td><td>${e.relatedOrderId ? html`<a href="/admin/orders/${e.relatedOrderId}">#${e.relatedOrderId}</a>` : ''}</td></tr>`)}
</tbody></table>`;

function actions(user: User, csrf: string, key: string): SafeHtml {
  return html`<div class="cards">
<section class="card"><h2>调整积分</h2>
<form method="post" action="/admin/users/${user.id}/credits" class="form" data-testid="adjust-form">${csrfField(csrf)}
<input type="hidden" name="key" value="${key}">
<label>数量（正数增加，负数扣减） <input name="amount" inputmode="numeric" required></label>
<label>原因（必填，用户流水中可见） <input name="reason" maxlength="200" required></label>
<button type="submit">确认调整</button></form></section>
<section class="card"><h2>账号状态</h2>
<form method="post" action="/admin/users/${user.id}/active" class="form">${csrfField(csrf)}
<input type="hidden" name="active" value="${user.isActive ? '0' : '1'}">
<label>原因 <input name="reason" maxlength="200"></label>
<button type="submit" class="${user.isActive ? 'danger' : ''}">${user.isActive ? '禁用用户' : '启用用户'}</button>
${user.isActive ? html`<p class="muted">禁用会立即使该用户的所有登录失效。</p>` : ''}</form></section>
</div>`;
}

/** 用户: find by id or openid; profile, balance, ledger, disable/enable, adjust credits (reason required). */
export const usersPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const transactions = userTransactions(deps);
  const adjust = adjustCredits(deps);
  const setActive = updateUser(deps);
  const ledgerCsv = exportLedger(deps);
  const find = async (raw: string | undefined) => {
    const id = positiveInt(raw);
    return id ? deps.users.findById(id) : null;
  };
  return consolePage(deps)
    .get(
      '/users',
      async ({ query, render }) => {
        const q = (query.q ?? '').trim();
        let notFound = false;
        if (q) {
          const user = /^\d{1,15}$/.test(q)
            ? await deps.users.findById(Number(q))
            : await deps.users.findByOpenid(q);
          if (user)
            return new Response(null, { status: 303, headers: { location: `/admin/users/${user.id}` } });
          notFound = true;
        }
        return render(
          {
            title: '用户',
            active: 'users',
            flash: notFound ? { kind: 'error', text: `未找到用户：${q}` } : null,
            body: html`<form method="get" action="/admin/users" class="form filters" data-testid="user-search">
<label>用户 ID 或 openid <input name="q" value="${q}" maxlength="128" autofocus></label> <button type="submit">查找</button></form>`,
          },
          notFound ? 404 : 200,
        );
      },
      { detail: { hide: true } },
    )
    .get(
      '/users/:id',
      async ({ params, query, render, csrf, operator }) => {
        const user = await find(params.id);
        if (!user)
          return render(
            { title: '用户不存在', active: 'users', body: html`<p><a href="/admin/users">返回</a></p>` },
            404,
          );
        const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
        const [entries, head] = await Promise.all([
          transactions(user.id, { skip, limit }),
          deps.ledger.head(user.id),
        ]);
        const rows = entries.ok ? entries.value : [];
        const may = canDo(operator.role, 'adjust_credits');
        return render({
          title: `用户 #${user.id}`,
          active: 'users',
          body: html`<table class="kv" data-testid="profile">
<tr><th>openid</th><td>${user.openid}</td></tr>
<tr><th>昵称</th><td>${user.nickname ?? '—'}</td></tr>
<tr><th>角色</th><td>${user.role === 'admin' ? '管理员' : '普通用户'}</td></tr>
<tr><th>状态</th><td>${user.isActive ? '正常' : html`<span class="badge danger">已禁用</span>`}</td></tr>
<tr><th>积分余额</th><td data-testid="balance">${balanceOf(head)}</td></tr>
<tr><th>注册时间</th><td>${when(user.createdAt, tz)}</td></tr>
</table>
<p><a href="/admin/orders?user_id=${user.id}">查看该用户的订单</a> · <a href="/admin/users/${user.id}/ledger.csv" data-testid="ledger-csv">导出积分流水 CSV</a></p>
${may ? actions(user, csrf, deps.random.string(16, KEY_ALPHABET)) : ''}
<h2>积分流水</h2>
${ledgerTable(rows.slice(0, limit - 1), tz)}${pager(`/admin/users/${user.id}`, page, rows.length === limit, keep(query))}`,
        });
      },
      { detail: { hide: true } },
    )
    .get(
      '/users/:id/ledger.csv',
      async ({ params, render }) => {
        const user = await find(params.id);
        if (!user) return render({ title: '用户不存在', active: 'users', body: html`` }, 404);
        return csvResponse(ledgerCsv(user.id), `ledger-user-${user.id}.csv`);
      },
      { detail: { hide: true } },
    )
    .post(
      '/users/:id/credits',
      async (ctx) => {
        const user = await find(ctx.params.id);
        if (!user) return ctx.render({ title: '用户不存在', active: 'users', body: html`` }, 404);
        const f = formFields(ctx.body);
        const back = `/admin/users/${user.id}`;
        const amount = /^[+-]?\d{1,9}$/.test((f.amount ?? '').trim()) ? Number(f.amount) : 0;
        const reason = (f.reason ?? '').trim();
        const key = (f.key ?? '').trim();
        const problem =
          amount === 0 || Math.abs(amount) > MAX_ADJUST
            ? '数量须为非零整数'
            : !reason
              ? '调整积分必须填写原因'
              : reason.length > 200
                ? '原因最多 200 个字符'
                : !/^[0-9a-z]{8,64}$/.test(key)
                  ? '表单已失效，请刷新页面后重试'
                  : null;
        if (problem) return ctx.done(back, { kind: 'error', text: problem });
        const head = await deps.ledger.head(user.id);
        const entry = await adjust(user.id, { amount, reason, idempotencyKey: `console:${key}` });
        if (!entry.ok) return ctx.done(back, { kind: 'error', text: httpError(entry.error).detail });
        // The same form sent again (same key) gets the first entry back: nothing changed, nothing to audit.
        if (head && entry.value.seq <= head.seq) return ctx.done(back, '该调整已提交过，未重复执行');
        await audit(ctx, {
          action: 'user.credits',
          target: { kind: 'user', id: String(user.id) },
          before: { balance: balanceOf(head) },
          after: { balance: entry.value.balanceAfter, amount, entryId: entry.value.id },
          reason,
        });
        return ctx.done(
          back,
          `已调整 ${amount > 0 ? '+' : ''}${amount} 积分，余额 ${entry.value.balanceAfter}`,
        );
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    )
    .post(
      '/users/:id/active',
      async (ctx) => {
        const user = await find(ctx.params.id);
        if (!user) return ctx.render({ title: '用户不存在', active: 'users', body: html`` }, 404);
        const f = formFields(ctx.body);
        const isActive = f.active === '1';
        const back = `/admin/users/${user.id}`;
        if (user.isActive === isActive) return ctx.done(back, '状态未变');
        const updated = await setActive(user.id, { isActive });
        if (!updated.ok) return ctx.done(back, { kind: 'error', text: httpError(updated.error).detail });
        await audit(ctx, {
          action: isActive ? 'user.enable' : 'user.disable',
          target: { kind: 'user', id: String(user.id) },
          before: { isActive: user.isActive },
          after: { isActive },
          reason: (f.reason ?? '').trim() || null,
        });
        return ctx.done(back, isActive ? '已启用用户' : '已禁用用户');
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    );
};
