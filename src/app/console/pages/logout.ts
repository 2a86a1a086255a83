import type { AppDeps } from '../../http/context';
import { audit, consolePage } from '../auth';
import { clearCookie, FLASH_COOKIE, SESSION_COOKIE, setCookie } from '../cookies';
import { endSession } from '../session';

/** Logout: the session's `ended` record is inserted before the answer, so the cookie is dead at once. */
export const logoutPage = (deps: AppDeps) =>
  consolePage(deps).post(
    '/logout',
    async (ctx) => {
      await endSession(deps, ctx.session);
      await audit(ctx, { action: 'logout', target: { kind: 'operator', id: String(ctx.operator.id) } });
      const secure = deps.console.secureCookie;
      const flash = encodeURIComponent(JSON.stringify({ kind: 'ok', text: '已退出登录' }));
      return new Response(null, {
        status: 303,
        headers: [
          ['location', '/admin/login'],
          ['cache-control', 'no-store'],
          [...clearCookie(SESSION_COOKIE, secure)],
          [...setCookie(FLASH_COOKIE, flash, { secure, maxAge: 60 })],
        ],
      });
    },
    { detail: { hide: true } },
  );
