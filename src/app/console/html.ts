/**
 * Server-rendered HTML with escaping by default: every interpolation of `html` is escaped unless it is
 * already SafeHtml (another `html` result or `raw(...)`); arrays are joined; null, undefined and false
 * render as nothing (so `${cond && html`...`}` works).
 */
const SAFE: unique symbol = Symbol('SafeHtml');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
}

const safe = (value: string): SafeHtml => ({ [SAFE]: true, value });

export const isSafeHtml = (v: unknown): v is SafeHtml => typeof v === 'object' && v !== null && SAFE in v;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string);

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return safe(out);
}

/** Trusted markup, passed through as is: never for anything that came from a request or the database. */
export const raw = (markup: string): SafeHtml => safe(markup);

/** Strict: our own scripts and styles only, no inline code, forms post only to us, no framing. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': CONSOLE_CSP,
  // Not the API's no-referrer: with it a browser sends `Origin: null` on form posts, which the CSRF
  // check (rightly) refuses. same-origin still tells other sites nothing.
  'referrer-policy': 'same-origin',
} as const;

/** A whole page; `headers` are appended (several Set-Cookie lines stay separate). */
export function htmlResponse(
  body: SafeHtml,
  status = 200,
  headers: ReadonlyArray<readonly [string, string]> = [],
): Response {
  const h = new Headers(HTML_HEADERS);
  for (const [k, v] of headers) h.append(k, v);
  return new Response(`<!doctype html>\n${body.value}`, { status, headers: h });
}
