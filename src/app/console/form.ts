import { JSON_TYPE } from '../http/headers';
import { clearCookie, FLASH_COOKIE, readCookie, setCookie } from './cookies';
import { html, htmlResponse, type SafeHtml } from './html';
import { documentShell, type Flash, flashBox, type LayoutOptions, layout } from './layout';

/**
 * The fields of a form body (Elysia parses `application/x-www-form-urlencoded` into an object):
 * strings only, the first of a repeated field. Console routes declare no body schema, so a wrong
 * field re-renders the form with a message instead of answering a JSON 400.
 */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** A browser form (rather than a script) sent it, or a browser asks for the page: answer in HTML. */
export const wantsHtml = (request: Request): boolean =>
  /application\/x-www-form-urlencoded|multipart\/form-data/i.test(
    request.headers.get('content-type') ?? '',
  ) ||
  (request.method === 'GET' && /text\/html/i.test(request.headers.get('accept') ?? ''));

/** After a successful POST: see the result page (post-redirect-get) with a one-shot message. */
export function redirectWithFlash(location: string, flash: Flash, secure: boolean): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  headers.append(
    ...setCookie(FLASH_COOKIE, encodeURIComponent(JSON.stringify(flash)), { secure, maxAge: 60 }),
  );
  return new Response(null, { status: 303, headers });
}

export function readFlash(request: Request): Flash | null {
  const value = readCookie(request, FLASH_COOKIE);
  if (!value) return null;
  try {
    const parsed = JSON.parse(decodeURIComponent(value)) as { kind?: unknown; text?: unknown };
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.text === 'string')
      return { kind: parsed.kind, text: parsed.text.slice(0, 500) };
  } catch {}
  return null;
}

/** A page inside the layout; a pending flash message is shown once and its cookie cleared. */
export function renderPage(
  request: Request,
  secure: boolean,
  opts: Omit<LayoutOptions, 'flash'> & { readonly flash?: Flash | null },
  status = 200,
): Response {
  const pending = readFlash(request);
  const flash = opts.flash ?? pending;
  return htmlResponse(layout({ ...opts, flash }), status, pending ? [clearCookie(FLASH_COOKIE, secure)] : []);
}

/** A refusal: a small HTML page for browsers, `{detail}` JSON for scripts. */
export function refusal(request: Request, status: number, detail: string): Response {
  if (wantsHtml(request) || request.method === 'GET') return htmlResponse(errorPage(status, detail), status);
  return new Response(JSON.stringify({ detail }), { status, headers: { 'content-type': JSON_TYPE } });
}

export const errorPage = (status: number, detail: string): SafeHtml =>
  documentShell(
    `${status}`,
    html`<main class="narrow"><h1>${status === 403 ? '无权操作' : '请求未完成'}</h1>${flashBox({ kind: 'error', text: detail })}<p><a href="/admin">返回总览</a></p></main>`,
  );
