/** The console's cookies: all HttpOnly, SameSite=Strict, Path=/admin, Secure when served over HTTPS. */
export const SESSION_COOKIE = 'cs_admin';
/** The login form's pre-session CSRF value (double submit: cookie and hidden field must agree). */
export const LOGIN_CSRF_COOKIE = 'cs_login';
/** A one-shot message shown by the page a POST redirects to (post-redirect-get). */
export const FLASH_COOKIE = 'cs_flash';

export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie; absent = until the browser closes. */
  readonly maxAge?: number;
}

export function setCookie(name: string, value: string, opts: CookieOptions): readonly [string, string] {
  const parts = [`${name}=${value}`, 'Path=/admin', 'HttpOnly', 'SameSite=Strict'];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  if (opts.secure) parts.push('Secure');
  return ['set-cookie', parts.join('; ')];
}

export const clearCookie = (name: string, secure: boolean) => setCookie(name, '', { secure, maxAge: 0 });

/** One cookie of the request's Cookie header, or null; values are opaque (never decoded here). */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
