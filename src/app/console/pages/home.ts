import { ACTION_ROLES, type ConsoleAction, canDo, ROLE_LABELS } from '../../../domain/operators/operator';
import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { html } from '../html';
import { NAV } from '../layout';

const ACTION_LABELS: Readonly<Record<ConsoleAction, string>> = {
  read: '查看全部数据',
  export_csv: '导出 CSV',
  sync_order: '向支付渠道同步订单',
  refund: '退款',
  adjust_credits: '调整积分',
  disable_user: '禁用/启用用户',
  resolve_review: '处理复核事项',
  edit_product: '创建/编辑/下架商品与价格',
  manage_operators: '管理操作员',
  run_statement: '执行对账',
};

/** The console's front page until the dashboard replaces it: who is logged in, where to go, what they may do. */
export const homePage = (deps: AppDeps) =>
  consolePage(deps).get(
    '/',
    ({ operator, render }) => {
      const may = (Object.keys(ACTION_ROLES) as ConsoleAction[]).map(
        (a) =>
          html`<li class="${canDo(operator.role, a) ? '' : 'muted'}">${canDo(operator.role, a) ? '✓' : '✗'} ${ACTION_LABELS[a]}</li>`,
      );
      const links = NAV.filter(
        (n) => n.key !== 'home' && (!('admin' in n) || canDo(operator.role, 'manage_operators')),
      ).map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`);
      return render({
        title: '总览',
        active: 'home',
        body: html`<div class="cards">
  <section class="card"><h2>当前操作员</h2><p data-testid="welcome">${operator.username}（${ROLE_LABELS[operator.role]}）</p>
  <p class="muted">两步验证：${operator.totpSecret ? '已启用' : html`未启用（<a href="/admin/account">去启用</a>）`}</p></section>
  <section class="card"><h2>功能入口</h2><ul>${links}</ul></section>
  <section class="card"><h2>本角色可执行的操作</h2><ul class="plain">${may}</ul></section>
</div>`,
      });
    },
    { detail: { hide: true } },
  );
