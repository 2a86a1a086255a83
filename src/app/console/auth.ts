import { Elysia } from 'elysia';
import type { Acting } from '../../domain/operators/manage';
import { type Operator, type OperatorRole, ROLE_LABELS, roleAtLeast } from '../../domain/operators/operator';
import { type AuditFacts, recordAudit } from '../../domain/operators/record';
import { ClientAddresses } from '../http/client-ip';
import type { AppDeps } from '../http/context';
import { clearCookie, readCookie, SESSION_COOKIE } from './cookies';
import { formFields, redirectWithFlash, refusal, renderPage } from './form';
import { html } from './html';
import type { Flash, LayoutOptions } from './layout';
import { type ActiveSession, resolveSession, sameToken } from './session';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_DETAIL = '安全校验失败（CSRF），请刷新页面后重试';

/** Where a state change may come from: the request's own origin and the configured public one. */
export function originRefused(request: Request, allowed: readonly string[]): boolean {
  if (request.headers.get('sec-fetch-site') === 'cross-site') return true;
  const origin = request.headers.get('origin');
  if (origin === null) return false; // older browsers and scripts: the token still decides
  return origin !== new URL(request.url).origin && !allowed.includes(origin);
}

function csrfRefused(deps: AppDeps, request: Request, body: unknown, expected: string): boolean {
  if (originRefused(request, deps.console.origins)) return true;
  const given = request.headers.get('x-csrf-token') ?? formFields(body)._csrf;
  return !sameToken(given, expected);
}

/** Not logged in: a page asks to log in (and comes back); anything else is a 401. */
function unauthenticated(deps: AppDeps, request: Request): Response {
  const url = new URL(request.url);
  const clear = clearCookie(SESSION_COOKIE, deps.console.secureCookie);
  if (request.method === 'GET') {
    const next = encodeURIComponent(url.pathname + url.search);
    return new Response(null, {
      status: 303,
      headers: [['location', `/admin/login?next=${next}`], ['cache-control', 'no-store'], [...clear]],
    });
  }
  const response = refusal(request, 401, '请先登录运营后台');
  response.headers.append(...clear);
  return response;
}

/** What `consolePage` puts into every handler's context (besides Elysia's own). */
export interface ConsoleContext {
  readonly session: ActiveSession;
  readonly operator: Operator;
  /** The session's CSRF token: forms carry it as `_csrf` (csrfField), scripts as `X-CSRF-Token`. */
  readonly csrf: string;
  readonly clientIp: string;
  /** Who acts, for the operator use cases and the audit log. */
  readonly acting: Acting;
  readonly recorder: (facts: AuditFacts) => Promise<unknown>;
  /** A page inside the layout (flash shown once). */
  readonly render: (opts: Omit<LayoutOptions, 'operator' | 'csrf'>, status?: number) => Response;
  /** Post-redirect-get: 303 to `location` with a one-shot message. */
  readonly done: (location: string, flash: Flash | string) => Response;
}

/**
 * The base of every logged-in console page: resolves the session from the `cs_admin` cookie (the
 * operator re-read on every request), refuses state changes without the session's CSRF token or from
 * another site, and puts into the context what pages use: `operator`, `csrf`, `clientIp`, `acting`,
 * `render(...)`, `done(...)` and `recorder` (see `audit`). Its hooks are local: they guard the routes
 * of the page module that starts from it, and nothing else.
 */
export function consolePage(deps: AppDeps) {
  const addresses = new ClientAddresses(deps.http.trustedProxies);
  const secure = deps.console.secureCookie;
  const record = recordAudit(deps);
  return new Elysia()
    .resolve(async ({ request, server }) => ({
      consoleSession: await resolveSession(deps, readCookie(request, SESSION_COOKIE)),
      clientIp: addresses.of(request, server),
    }))
    .onBeforeHandle(({ consoleSession, request, body }) => {
      if (!consoleSession) return unauthenticated(deps, request);
      if (STATE_CHANGING.has(request.method) && csrfRefused(deps, request, body, consoleSession.csrf))
        return refusal(request, 403, CSRF_DETAIL);
    })
    .resolve(({ consoleSession, clientIp, request }): Omit<ConsoleContext, 'clientIp'> => {
      const session = consoleSession as ActiveSession;
      const { operator, csrf } = session;
      const acting: Acting = { actor: { id: operator.id, username: operator.username }, ip: clientIp };
      return {
        session,
        operator,
        csrf,
        acting,
        recorder: (facts: AuditFacts) => record(acting.actor, acting.ip, facts),
        render: (opts: Omit<LayoutOptions, 'operator' | 'csrf'>, status = 200) =>
          renderPage(request, secure, { ...opts, operator, csrf }, status),
        done: (location: string, flash: Flash | string) =>
          redirectWithFlash(
            location,
            typeof flash === 'string' ? { kind: 'ok', text: flash } : flash,
            secure,
          ),
      };
    });
}

/** Appends one entry to the operator audit log, as the context's operator, from its client address. */
export const audit = (
  ctx: { readonly recorder: (facts: AuditFacts) => Promise<unknown> },
  facts: AuditFacts,
) => ctx.recorder(facts).then(() => undefined);

/**
 * A guard for `beforeHandle`: the operator's role must be at least `min`, else a 403 (a page inside
 * the layout for a page request, `{detail}` otherwise) and the handler never runs.
 */
export const requireRole =
  (min: OperatorRole) =>
  (ctx: Pick<ConsoleContext, 'operator' | 'render'> & { readonly request: Request }) => {
    if (roleAtLeast(ctx.operator.role, min)) return;
    const detail = `需要「${ROLE_LABELS[min]}」或更高权限`;
    if (ctx.request.method !== 'GET') return refusal(ctx.request, 403, detail);
    return ctx.render(
      { title: '无权访问', active: 'none', body: errorBody(), flash: { kind: 'error', text: detail } },
      403,
    );
  };

/** Below the flash that names the missing role (said once: the body repeated it). */
const errorBody = () => html`<p>如需权限请联系管理员。</p><p><a href="/admin">返回总览</a></p>`;
