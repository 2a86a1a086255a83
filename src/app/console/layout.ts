import { type Operator, ROLE_LABELS, roleAtLeast } from '../../domain/operators/operator';
import { html, type SafeHtml } from './html';

/** The nav entries, in order; `admin` entries are shown to admins only. */
export const NAV = [
  { key: 'home', href: '/admin', label: '总览' },
  { key: 'orders', href: '/admin/orders', label: '订单' },
  { key: 'products', href: '/admin/products', label: '商品' },
  { key: 'users', href: '/admin/users', label: '用户' },
  { key: 'reviews', href: '/admin/reviews', label: '复核' },
  { key: 'alerts', href: '/admin/alerts', label: '告警' },
  { key: 'statements', href: '/admin/statements', label: '对账' },
  { key: 'integrity', href: '/admin/integrity', label: '数据核查' },
  { key: 'operators', href: '/admin/operators', label: '操作员', admin: true },
  { key: 'audit-log', href: '/admin/audit-log', label: '审计日志' },
] as const;

export type NavKey = (typeof NAV)[number]['key'] | 'account' | 'none';

export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

export interface LayoutOptions {
  readonly title: string;
  readonly operator: Operator;
  /** The session's CSRF token (for the logout form and any form the body renders). */
  readonly csrf: string;
  readonly active: NavKey;
  readonly body: SafeHtml;
  readonly flash?: Flash | null;
}

/** The hidden CSRF field every console form carries. */
export const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export const flashBox = (flash: Flash | null | undefined): SafeHtml =>
  html`${flash && html`<div class="flash flash-${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>`}`;

/** The document around a page: head, our stylesheet and script, nothing from anyone else. */
export const documentShell = (
  title: string,
  body: SafeHtml,
  bodyClass = '',
): SafeHtml => html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · 积分商城运营后台</title>
<link rel="stylesheet" href="/admin/static/console.css">
<link rel="icon" href="data:,">
<script src="/admin/static/console.js" defer></script>
</head>
<body class="${bodyClass}">
${body}
</body>
</html>`;

export function layout(o: LayoutOptions): SafeHtml {
  const links = NAV.filter((n) => !('admin' in n) || roleAtLeast(o.operator.role, 'admin')).map(
    (n) =>
      html`<li><a href="${n.href}"${n.key === o.active ? html` aria-current="page" class="active"` : ''}>${n.label}</a></li>`,
  );
  return documentShell(
    o.title,
    html`<header class="topbar">
  <a class="brand" href="/admin">积分商城运营后台</a>
  <nav aria-label="主导航"><ul>${links}</ul></nav>
  <div class="whoami">
    <a href="/admin/account" class="${o.active === 'account' ? 'active' : ''}" data-testid="operator-name">${o.operator.username}</a>
    <span class="role role-${o.operator.role}" data-testid="operator-role">${ROLE_LABELS[o.operator.role]}</span>
    <form method="post" action="/admin/logout" class="inline">${csrfField(o.csrf)}<button type="submit" class="link">退出登录</button></form>
  </div>
</header>
<main>
<h1>${o.title}</h1>
${flashBox(o.flash)}
${o.body}
</main>`,
  );
}
