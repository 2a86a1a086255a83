import type { Random } from '../../domain/ports';
import type { TokenSession } from '../../domain/usecases/sessions';
import type { User } from '../../domain/user';

export interface JwtSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** Lifetime of the token login hands out by default: the seed's 7-day token, kept for its clients. */
  readonly expiresIn: number;
  /** The refresh flow (login with `refresh: true`): a short access token, and the session's lifetime. */
  readonly accessSeconds: number;
  readonly refreshSeconds: number;
}

/**
 * Claims of our tokens besides `sub`, `iss`, `aud`, `exp`: `sid` names the session (one per login),
 * `gen` the user's token generation at issue, `sxp` when the session ends (the seed token's own
 * `exp`, or the refresh token's). Refresh tokens add `typ: "refresh"` and their number `n`; an access
 * token never carries `typ`, so neither kind is accepted as the other. Tokens from before sessions
 * existed carry none of these and stay valid until "log out everywhere" or their `exp`.
 */
export interface SessionClaims {
  readonly sub?: unknown;
  readonly sid?: unknown;
  readonly gen?: unknown;
  readonly sxp?: unknown;
  readonly exp?: unknown;
  readonly typ?: unknown;
  readonly n?: unknown;
}

const SID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The session a verified token's claims describe, or null when they do not hold together. */
export function sessionOf(
  claims: SessionClaims,
  kind: 'access' | 'refresh',
): (TokenSession & { n?: number }) | null {
  const userId = Number(claims.sub);
  if (!Number.isSafeInteger(userId) || userId < 1) return null;
  if ((claims.typ === 'refresh') !== (kind === 'refresh')) return null;
  const { sid, gen, sxp, exp, n } = claims;
  if (sid !== undefined && (typeof sid !== 'string' || sid.length > 64)) return null;
  if (gen !== undefined && (!Number.isSafeInteger(gen) || (gen as number) < 0)) return null;
  const ends = sxp ?? exp;
  if (!Number.isSafeInteger(ends)) return null;
  const session = {
    userId,
    ...(sid === undefined ? {} : { sid }),
    ...(gen === undefined ? {} : { generation: gen as number }),
    endsAt: new Date((ends as number) * 1000),
  };
  if (kind === 'access') return session;
  return typeof sid === 'string' && Number.isSafeInteger(n) && (n as number) >= 1
    ? { ...session, n: n as number }
    : null;
}

type Sign = (payload: Record<string, string | number>) => Promise<string>;

/** What login and refresh answer, on top of the seed's `{access_token, token_type, expires_in}`. */
export interface IssuedTokens {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly refresh_expires_in?: number;
}

export function tokenIssuer(settings: JwtSettings, random: Random, sign: Sign, nowSeconds: () => number) {
  const common = (user: User, sid: string, sxp: number) => ({
    sub: String(user.id),
    // Informative only: every request reads the role from the user record.
    role: user.role,
    iss: settings.issuer,
    aud: settings.audience,
    sid,
    gen: user.sessions.generation,
    sxp,
  });
  const refreshPair = async (user: User, sid: string, sxp: number, n: number): Promise<IssuedTokens> => {
    const now = nowSeconds();
    const exp = Math.min(now + settings.accessSeconds, sxp);
    return {
      access_token: await sign({ ...common(user, sid, sxp), exp, nbf: now - 60 }),
      token_type: 'bearer',
      expires_in: exp - now,
      refresh_token: await sign({ ...common(user, sid, sxp), typ: 'refresh', n, exp: sxp, nbf: now - 60 }),
      refresh_expires_in: sxp - now,
    };
  };
  return {
    /** A new session at login: the seed's long token, or (opted in) a short one plus a refresh token. */
    async login(user: User, refresh: boolean): Promise<IssuedTokens> {
      const now = nowSeconds();
      const sid = random.string(22, SID_ALPHABET);
      if (refresh) return refreshPair(user, sid, now + settings.refreshSeconds, 1);
      const exp = now + settings.expiresIn;
      return {
        access_token: await sign({ ...common(user, sid, exp), exp, nbf: now - 60 }),
        token_type: 'bearer',
        expires_in: settings.expiresIn,
      };
    },
    /** The next pair of a session whose refresh token `n` was just used; the session keeps its end. */
    rotate: (user: User, session: { sid: string; endsAt: Date; n: number }): Promise<IssuedTokens> =>
      refreshPair(user, session.sid, Math.floor(session.endsAt.getTime() / 1000), session.n + 1),
  };
}
