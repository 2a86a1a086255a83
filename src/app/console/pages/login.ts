import { Elysia } from 'elysia';
import { loginOperator } from '../../../domain/operators/login';
import type { AppDeps } from '../../http/context';
import { limiter, TOO_MANY } from '../../http/limits';
import { originRefused } from '../auth';
import {
  clearCookie,
  FLASH_COOKIE,
  LOGIN_CSRF_COOKIE,
  readCookie,
  SESSION_COOKIE,
  setCookie,
} from '../cookies';
import { formFields, readFlash, refusal } from '../form';
import { html, htmlResponse } from '../html';
import { documentShell, type Flash, flashBox } from '../layout';
import { loginCsrf, newToken, sameToken, startSession } from '../session';

/** Same words for every failure: which part was wrong, or that the account is locked, stays unsaid. */
export const LOGIN_FAILED =
  '登录失败：用户名、密码或动态验证码不正确，或尝试次数过多已被暂时锁定，请稍后再试';

/** Only a path of our own console: never another site (`//evil`, `https://…`) after logging in. */
export const safeNext = (next: string | undefined): string =>
  next && /^\/admin(\/[\w\-./?=&%]*)?$/.test(next) && !next.startsWith('/admin/login') && !next.includes('//')
    ? next
    : '/admin';

function loginForm(o: { csrf: string; next: string; username?: string; flash: Flash | null }) {
  return documentShell(
    '登录',
    html`<main class="narrow login">
<h1>积分商城运营后台</h1>
${flashBox(o.flash)}
<form method="post" action="/admin/login" class="stack" autocomplete="off">
  <input type="hidden" name="_csrf" value="${o.csrf}">
  <input type="hidden" name="next" value="${o.next}">
  <label>用户名 <input name="username" value="${o.username ?? ''}" required maxlength="64" autocomplete="username" autofocus></label>
  <label>密码 <input name="password" type="password" required maxlength="200" autocomplete="current-password"></label>
  <label>动态验证码 <input name="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="8" autocomplete="one-time-code" placeholder="启用两步验证的账户必填"></label>
  <button type="submit">登录</button>
</form>
</main>`,
    'login-page',
  );
}

/** The login page and the login itself: public, guarded by a pre-session (double-submit) CSRF token. */
export const loginPage = (deps: AppDeps) => {
  // The API's `login` rate limit (RATE_LIMIT_LOGIN, per client address) also bounds console login
  // attempts, so a flood cannot write audit entries (or burn argon2 time) without limit.
  const limits = limiter({ ...deps, limits: deps.http.limits, trustedProxies: deps.http.trustedProxies });
  const secure = deps.console.secureCookie;
  const login = loginOperator(deps);
  /** The page with a login CSRF cookie: the one the browser has, or a new one. */
  const page = (
    request: Request,
    o: { next: string; username?: string; flash: Flash | null },
    status = 200,
  ) => {
    const existing = readCookie(request, LOGIN_CSRF_COOKIE);
    const value = existing && /^[\w-]{43}$/.test(existing) ? existing : newToken(deps);
    const headers: [string, string][] = [];
    if (value !== existing) headers.push([...setCookie(LOGIN_CSRF_COOKIE, value, { secure })]);
    const pending = readFlash(request);
    if (pending) headers.push([...clearCookie(FLASH_COOKIE, secure)]);
    return htmlResponse(
      loginForm({ ...o, csrf: loginCsrf(deps.console.csrfKey, value), flash: o.flash ?? pending }),
      status,
      headers,
    );
  };

  return new Elysia()
    .get('/login', ({ request, query }) => page(request, { next: safeNext(query.next), flash: null }), {
      detail: { hide: true },
    })
    .post(
      '/login',
      async ({ request, body, server }) => {
        const f = formFields(body);
        const cookie = readCookie(request, LOGIN_CSRF_COOKIE);
        if (
          originRefused(request, deps.console.origins) ||
          !cookie ||
          !sameToken(f._csrf, loginCsrf(deps.console.csrfKey, cookie))
        )
          return refusal(request, 403, '安全校验失败（CSRF），请刷新登录页后重试');
        const ip = limits.addresses.of(request, server);
        const wait = await limits.check('login', ip, undefined);
        if (wait !== null) {
          const refused = refusal(request, 429, TOO_MANY);
          refused.headers.set('retry-after', String(wait));
          return refused;
        }
        const next = safeNext(f.next);
        const outcome = await login({
          username: f.username ?? '',
          password: f.password ?? '',
          code: f.code ?? '',
          ip,
        });
        if (!outcome.ok)
          return page(
            request,
            { next, username: f.username, flash: { kind: 'error', text: LOGIN_FAILED } },
            401,
          );
        const { token } = await startSession(deps, outcome.operator);
        return new Response(null, {
          status: 303,
          headers: [
            ['location', next],
            ['cache-control', 'no-store'],
            [...setCookie(SESSION_COOKIE, token, { secure, maxAge: deps.console.sessionHours * 3600 })],
            [...clearCookie(LOGIN_CSRF_COOKIE, secure)],
          ],
        });
      },
      { detail: { hide: true } },
    );
};
