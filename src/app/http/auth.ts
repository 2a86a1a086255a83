import { jwt } from '@elysiajs/jwt';
import { Elysia, status } from 'elysia';
import type { DomainError } from '../../domain/errors';
import { err, ok, type Result } from '../../domain/result';
import { requireAdmin } from '../../domain/usecases/admin';
import type { Deps } from '../../domain/usecases/deps';
import { refreshSession, sessionUser, type TokenSession } from '../../domain/usecases/sessions';
import { problem } from './plugins';
import { type IssuedTokens, type JwtSettings, type SessionClaims, sessionOf, tokenIssuer } from './tokens';

export type { JwtSettings } from './tokens';

const unauthorized = (set: { headers: Record<string, unknown> }, detail: string) => {
  set.headers['www-authenticate'] = 'Bearer';
  return status(401, { detail });
};

const INVALID = '认证令牌无效或已过期';
/** Bearer tokens are short; anything longer is not worth a signature check. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * Bearer tokens: HS256 pinned on verify (so `alg: none` or RS/HS confusion is refused), and `exp`,
 * `iss`, `aud`, `sub` required and checked. `auth: true` on a route resolves the active `user` and
 * the token's `session`. The token is checked in the transform phase, before body validation, so a
 * caller without a valid token always gets 401 (never a 400 that reveals the route's schema); the
 * user is loaded after, and the token refused if its session was ended (logout, log out everywhere,
 * disable): the user record read on every request carries that.
 */
export const authPlugin = (
  deps: Pick<Deps, 'users' | 'clock' | 'random' | 'onceKeys'> & { readonly jwt: JwtSettings },
) => {
  const { jwt: settings, clock } = deps;
  type Verifier = { verify: (token: string, options: object) => Promise<false | SessionClaims> };
  /** The session each request's verified token names, handed from transform to resolve. */
  const tokenSession = new WeakMap<Request, TokenSession>();

  const verify = async (jwt: Verifier, token: string, kind: 'access' | 'refresh') => {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const claims = await jwt.verify(token, {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['exp', 'sub', 'iss', 'aud'],
      currentDate: clock.now(),
    });
    return claims ? sessionOf(claims, kind) : null;
  };
  const checkToken = async (request: Request, jwt: Verifier, set: { headers: Record<string, unknown> }) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    // Thrown, not returned: transform hooks are typed as void, and Elysia answers a thrown status as is.
    if (!match?.[1]) throw unauthorized(set, '未提供认证令牌');
    const session = await verify(jwt, match[1], 'access');
    if (!session) throw unauthorized(set, INVALID);
    tokenSession.set(request, session);
  };
  const refused = (set: { headers: Record<string, unknown> }, error: DomainError) =>
    error.kind === 'user_not_found' ? unauthorized(set, INVALID) : problem(error);
  const resolveUser = async (request: Request, set: { headers: Record<string, unknown> }) => {
    const session = tokenSession.get(request);
    if (session === undefined) return unauthorized(set, INVALID);
    const user = await sessionUser(deps)(session);
    if (!user.ok) return refused(set, user.error);
    return { user: user.value, session };
  };
  type Signer = Verifier & { sign: (payload: Record<string, string | number>) => Promise<string> };
  const tokenFunctions = (jwt: Signer) => {
    const issuer = tokenIssuer(
      settings,
      deps.random,
      (p) => jwt.sign(p),
      () => Math.floor(clock.now().getTime() / 1000),
    );
    return {
      issueTokens: issuer.login,
      /** A refresh token → the session's next pair; each refresh token works once. */
      refreshTokens: async (token: string): Promise<Result<IssuedTokens, DomainError>> => {
        const session = await verify(jwt, token, 'refresh');
        if (!session?.sid || session.n === undefined) return err({ kind: 'session_ended' });
        const refreshed = { ...session, sid: session.sid, n: session.n };
        const user = await refreshSession(deps)(refreshed);
        return user.ok ? ok(await issuer.rotate(user.value, refreshed)) : user;
      },
    };
  };
  let tokens: ReturnType<typeof tokenFunctions> | undefined;
  return (
    new Elysia({ name: 'auth' })
      .use(jwt({ name: 'jwt', secret: settings.secret, alg: 'HS256' }))
      // Built once (the jwt decorator is one object for every request) and handed to each request.
      .derive({ as: 'global' }, ({ jwt }) => {
        tokens ??= tokenFunctions(jwt as unknown as Signer);
        return tokens;
      })
      .macro({
        auth: {
          detail: { security: [{ bearerAuth: [] }] },
          transform: ({ request, jwt, set }) => checkToken(request, jwt, set),
          resolve: ({ request, set }) => resolveUser(request, set),
        },
        /** `auth` plus role `admin`: 401 without a valid token, 403 for anyone else. */
        admin: {
          detail: { security: [{ bearerAuth: [] }] },
          transform: ({ request, jwt, set }) => checkToken(request, jwt, set),
          async resolve({ request, set }) {
            const resolved = await resolveUser(request, set);
            if (!('user' in resolved)) return resolved;
            const admin = requireAdmin(resolved.user);
            return admin.ok ? { user: admin.value, session: resolved.session } : problem(admin.error);
          },
        },
      })
  );
};
