import { SignJWT } from 'jose';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import type { Clock } from '../../src/domain/ports';
import { SANDBOX_APPID, startSandbox } from '../sandbox/harness';
import { seeded, TEST_JWT, testDeps } from '../support/app';

/**
 * The app over memory storage, talking to an in-process sandbox over TCP; requests go through app.handle.
 * `adminCodes`: login codes whose (deterministic) sandbox openids are listed in ADMIN_OPENIDS.
 */
export async function httpHarness(
  opts: {
    clock?: Clock;
    adminCodes?: readonly string[];
    abuseEnv?: Record<string, string>;
    /** Replaces dependencies before the app is made (e.g. to count or hold a port's calls). */
    wrap?: (deps: AppDeps) => AppDeps;
  } = {},
) {
  const sandbox = startSandbox();
  const made = testDeps({
    gatewayUrl: sandbox.url,
    wechatApiBase: sandbox.url,
    clock: opts.clock,
    adminOpenids: (opts.adminCodes ?? []).map((code) => sandboxOpenid(SANDBOX_APPID, code)),
    abuseEnv: opts.abuseEnv,
  });
  const { logs } = made;
  const deps = opts.wrap ? opts.wrap(made.deps) : made.deps;
  await seeded(deps);
  const app = createApp(deps);
  const request = async (
    method: string,
    path: string,
    init: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: {
          ...(init.body !== undefined || init.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      }),
    );
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes and assert on them literally.
    return { status: res.status, body: body as any, headers: res.headers };
  };
  // A fresh code per login, as wx.login() gives: the API accepts each code once.
  let codes = 0;
  const login = async (code: string) => {
    const res = await request('POST', '/api/auth/login', { body: { code: `${code}.${++codes}` } });
    return { token: res.body.access_token as string, user: res.body.user as { id: number; openid: string } };
  };
  return { app, deps, logs, sandbox, request, login, stop: () => sandbox.stop() };
}

export type HttpHarness = Awaited<ReturnType<typeof httpHarness>>;

/**
 * POST /api/admin/audit, then GET until this process runs no audit any more: the run is in the
 * background, and it is stored before it stops counting as running. Answers the GET's body.
 */
export async function auditAndWait(h: HttpHarness, adminToken: string) {
  const started = await h.request('POST', '/api/admin/audit', { token: adminToken });
  if (started.status !== 202) throw new Error(`POST /api/admin/audit answered ${started.status}`);
  for (let i = 0; i < 2000; i++) {
    const now = await h.request('GET', '/api/admin/audit', { token: adminToken });
    if (now.body.running === false) return now.body;
    await Bun.sleep(5);
  }
  throw new Error('the audit did not finish within 10 s');
}

/** Signs arbitrary claims with the test secret, to probe the verifier's rules one at a time. */
export async function forgeToken(
  claims: Record<string, unknown>,
  opts: { secret?: string; alg?: string; expSeconds?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const body = {
    iss: TEST_JWT.issuer,
    aud: TEST_JWT.audience,
    exp: now + (opts.expSeconds ?? 600),
    ...claims,
  };
  for (const key of Object.keys(body))
    if ((body as Record<string, unknown>)[key] === undefined) delete (body as Record<string, unknown>)[key];
  return new SignJWT(body)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .sign(new TextEncoder().encode(opts.secret ?? TEST_JWT.secret));
}

/** An unsigned `alg: none` token, the classic JWT bypass. */
export function noneToken(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: TEST_JWT.issuer, aud: TEST_JWT.audience, exp: now + 600, ...claims })}.`;
}
