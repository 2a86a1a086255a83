import {
  changeOperatorRole,
  createOperator,
  type ManageError,
  resetOperatorTotp,
  setOperatorDisabled,
  setOperatorPassword,
} from '../../../domain/operators/manage';
import {
  isOperatorRole,
  OPERATOR_ROLES,
  type Operator,
  ROLE_LABELS,
} from '../../../domain/operators/operator';
import type { Result } from '../../../domain/result';
import type { AppDeps } from '../../http/context';
import { type ConsoleContext, consolePage, requireRole } from '../auth';
import { formFields } from '../form';
import { html } from '../html';
import { csrfField, type Flash } from '../layout';
import { pageOf, pager } from '../pager';
import { when } from '../view';

const MESSAGES: Readonly<Record<ManageError['kind'], string>> = {
  invalid: '输入不正确',
  username_taken: '用户名已被使用',
  not_found: '操作员不存在',
  version_conflict: '该操作员已被他人修改，请刷新后重试',
  self: '不能禁用自己或取消自己的管理员权限',
};

const messageOf = (e: ManageError) => (e.kind === 'invalid' ? e.detail : MESSAGES[e.kind]);
const statusOf = (e: ManageError) =>
  e.kind === 'not_found' ? 404 : e.kind === 'version_conflict' || e.kind === 'username_taken' ? 409 : 400;

const roleOptions = (selected?: string) =>
  OPERATOR_ROLES.map(
    (r) =>
      html`<option value="${r}"${r === selected ? html` selected` : ''}>${ROLE_LABELS[r]}（${r}）</option>`,
  );

function row(o: Operator, csrf: string, tz: string, self: boolean) {
  const action = (path: string) => `/admin/operators/${o.id}/${path}`;
  return html`<tr data-operator="${o.username}">
  <td>${o.id}</td><td>${o.username}</td><td>${ROLE_LABELS[o.role]}</td>
  <td>${o.disabled ? html`<strong class="muted">已停用</strong>` : '正常'}</td>
  <td>${o.totpSecret ? '已启用' : '未启用'}</td>
  <td>${when(o.createdAt, tz)}</td>
  <td><div class="actions">
    ${
      // Your own role and access are changed by another admin (the server refuses it from you).
      self
        ? html`<span class="muted">（本人：角色与停用由其他管理员操作）</span>`
        : html`<form method="post" action="${action('role')}" class="row">${csrfField(csrf)}<input type="hidden" name="version" value="${o.version}">
      <select name="role" aria-label="角色">${roleOptions(o.role)}</select><button type="submit" class="secondary">修改角色</button></form>
    <form method="post" action="${action(o.disabled ? 'enable' : 'disable')}" class="row" data-confirm="${o.disabled ? '确定启用该操作员？' : '确定停用该操作员？其所有会话立即失效。'}">${csrfField(csrf)}
      <button type="submit" class="${o.disabled ? 'secondary' : 'danger'}">${o.disabled ? '启用' : '停用'}</button></form>`
    }
    <form method="post" action="${action('password')}" class="row">${csrfField(csrf)}
      <input name="password" type="password" minlength="10" maxlength="200" required placeholder="新密码（至少 10 位）" aria-label="新密码" autocomplete="new-password">
      <button type="submit" class="secondary">重置密码</button></form>
    ${o.totpSecret && html`<form method="post" action="${action('totp-reset')}" class="row" data-confirm="确定重置该操作员的两步验证？">${csrfField(csrf)}<button type="submit" class="secondary">重置两步验证</button></form>`}
  </div></td>
</tr>`;
}

/** 操作员: list, create, change role, disable / enable, reset password, reset TOTP (admins only). */
export const operatorsPage = (deps: AppDeps) => {
  const admin = { beforeHandle: requireRole('admin'), detail: { hide: true } };

  async function list(
    ctx: ConsoleContext,
    rawPage: string | undefined,
    flash?: Flash,
    status = 200,
    form: Record<string, string> = {},
  ) {
    const page = pageOf(rawPage);
    const found = await deps.operators.list(page);
    const shown = found.slice(0, page.limit - 1);
    const tz = deps.settings.timeZone;
    return ctx.render(
      {
        title: '操作员',
        active: 'operators',
        flash: flash ?? null,
        body: html`<section>
<table><thead><tr><th>ID</th><th>用户名</th><th>角色</th><th>状态</th><th>两步验证</th><th>创建时间</th><th>操作</th></tr></thead>
<tbody>${shown.map((o) => row(o, ctx.csrf, tz, o.id === ctx.operator.id))}</tbody></table>
${pager('/admin/operators', page.n, found.length > shown.length)}
</section>
<section><h2>新建操作员</h2>
<form method="post" action="/admin/operators" class="row">${csrfField(ctx.csrf)}
  <label>用户名 <input name="username" required maxlength="32" value="${form.username ?? ''}" autocomplete="off"></label>
  <label>角色 <select name="role" aria-label="角色">${roleOptions(form.role ?? 'viewer')}</select></label>
  <label>初始密码 <input name="password" type="password" minlength="10" maxlength="200" required autocomplete="new-password"></label>
  <button type="submit">创建</button>
</form></section>`,
      },
      status,
    );
  }

  /** After an edit: back to the list with what happened, or the list again with why not. */
  const answer = (
    ctx: ConsoleContext,
    result: Result<Operator, ManageError>,
    success: (o: Operator) => string,
  ) =>
    result.ok
      ? ctx.done('/admin/operators', success(result.value))
      : list(ctx, undefined, { kind: 'error', text: messageOf(result.error) }, statusOf(result.error));

  const idOf = (raw: string) => (/^\d{1,12}$/.test(raw) ? Number(raw) : 0);
  const versionOf = (raw: string | undefined) => (raw && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined);

  return consolePage(deps)
    .get('/operators', (ctx) => list(ctx, ctx.query.page), admin)
    .post(
      '/operators',
      async (ctx) => {
        const f = formFields(ctx.body);
        if (!isOperatorRole(f.role))
          return list(ctx, undefined, { kind: 'error', text: '角色不正确' }, 400, f);
        const created = await createOperator(deps)(ctx.acting, {
          username: f.username ?? '',
          role: f.role,
          password: f.password ?? '',
        });
        if (!created.ok)
          return list(
            ctx,
            undefined,
            { kind: 'error', text: messageOf(created.error) },
            statusOf(created.error),
            f,
          );
        return ctx.done('/admin/operators', `已创建操作员 ${created.value.username}`);
      },
      admin,
    )
    .post(
      '/operators/:id/role',
      async (ctx) => {
        const f = formFields(ctx.body);
        if (!isOperatorRole(f.role)) return list(ctx, undefined, { kind: 'error', text: '角色不正确' }, 400);
        const edited = await changeOperatorRole(deps, f.role)(ctx.acting, idOf(ctx.params.id), {
          expectedVersion: versionOf(f.version),
        });
        return answer(ctx, edited, (o) => `已将 ${o.username} 的角色改为${ROLE_LABELS[o.role]}`);
      },
      admin,
    )
    .post(
      '/operators/:id/disable',
      async (ctx) =>
        answer(
          ctx,
          await setOperatorDisabled(deps, true)(ctx.acting, idOf(ctx.params.id)),
          (o) => `已停用 ${o.username}`,
        ),
      admin,
    )
    .post(
      '/operators/:id/enable',
      async (ctx) =>
        answer(
          ctx,
          await setOperatorDisabled(deps, false)(ctx.acting, idOf(ctx.params.id)),
          (o) => `已启用 ${o.username}`,
        ),
      admin,
    )
    .post(
      '/operators/:id/password',
      async (ctx) => {
        const f = formFields(ctx.body);
        const id = idOf(ctx.params.id);
        if (id === ctx.operator.id)
          return list(ctx, undefined, { kind: 'error', text: '修改自己的密码请到「我的账户」' }, 400);
        const reset = await setOperatorPassword(deps)(ctx.acting, id, f.password ?? '');
        return answer(ctx, reset, (o) => `已重置 ${o.username} 的密码，其所有会话已失效`);
      },
      admin,
    )
    .post(
      '/operators/:id/totp-reset',
      async (ctx) =>
        answer(
          ctx,
          await resetOperatorTotp(deps)(ctx.acting, idOf(ctx.params.id)),
          (o) => `已重置 ${o.username} 的两步验证`,
        ),
      admin,
    );
};
