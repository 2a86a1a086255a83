import { jwt } from '@elysiajs/jwt';
import { Elysia, status } from 'elysia';
import { requireAdmin } from '../../domain/usecases/admin';
import { activeUser } from '../../domain/usecases/auth';
import type { Deps } from '../../domain/usecases/deps';
import type { User } from '../../domain/user';
import { problem } from './plugins';

export interface JwtSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  readonly expiresIn: number;
}

const unauthorized = (set: { headers: Record<string, unknown> }, detail: string) => {
  set.headers['www-authenticate'] = 'Bearer';
  return status(401, { detail });
};

/**
 * Bearer tokens: HS256 pinned on verify (so `alg: none` or RS/HS confusion is refused), and `exp`,
 * `iss`, `aud`, `sub` required and checked. `auth: true` on a route resolves the active `user`.
 * The token is checked in the transform phase, before body validation, so a caller without a valid
 * token always gets 401 (never a 400 that reveals the route's schema); the user is loaded after.
 */
export const authPlugin = (deps: Pick<Deps, 'users' | 'clock'> & { readonly jwt: JwtSettings }) => {
  const { jwt: settings, clock } = deps;
  type Verifier = { verify: (token: string, options: object) => Promise<false | { sub?: unknown }> };
  /** The user id each request's verified token names, handed from transform to resolve. */
  const tokenUser = new WeakMap<Request, number>();

  const checkToken = async (request: Request, jwt: Verifier, set: { headers: Record<string, unknown> }) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    // Thrown, not returned: transform hooks are typed as void, and Elysia answers a thrown status as is.
    if (!match?.[1]) throw unauthorized(set, '未提供认证令牌');
    const claims = await jwt.verify(match[1], {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['exp', 'sub', 'iss', 'aud'],
      currentDate: clock.now(),
    });
    const userId = claims ? Number(claims.sub) : Number.NaN;
    if (!Number.isSafeInteger(userId) || userId < 1) throw unauthorized(set, '认证令牌无效或已过期');
    tokenUser.set(request, userId);
  };
  const resolveUser = async (request: Request, set: { headers: Record<string, unknown> }) => {
    const userId = tokenUser.get(request);
    if (userId === undefined) return unauthorized(set, '认证令牌无效或已过期');
    const user = await activeUser(deps)(userId);
    if (!user.ok)
      return user.error.kind === 'user_not_found'
        ? unauthorized(set, '认证令牌无效或已过期')
        : problem(user.error);
    return { user: user.value };
  };
  return new Elysia({ name: 'auth' })
    .use(jwt({ name: 'jwt', secret: settings.secret, alg: 'HS256' }))
    .derive({ as: 'global' }, ({ jwt }) => ({
      issueToken: (user: User) => {
        const now = Math.floor(clock.now().getTime() / 1000);
        return jwt.sign({
          sub: String(user.id),
          role: user.role,
          iss: settings.issuer,
          aud: settings.audience,
          exp: now + settings.expiresIn,
          nbf: now - 60,
        });
      },
    }))
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
          return admin.ok ? { user: admin.value } : problem(admin.error);
        },
      },
    });
};
