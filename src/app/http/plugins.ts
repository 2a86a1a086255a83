import { Elysia, ElysiaCustomStatusResponse, status } from 'elysia';
import type { DomainError } from '../../domain/errors';
import { httpError, INTERNAL_ERROR } from './errors';
import { JSON_TYPE } from './headers';
import { JSON_BODY_DETAIL, parseJsonBody } from './json-body';
import type { AllowedMethods } from './methods';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Bun answers a bare, body-less 413 above its own limit before any hook runs, so its limit sits
 * above ours: up to this size the client gets our `{detail}` 413 instead.
 */
export const SERVER_BODY_CAP = 8 * MAX_BODY_BYTES;

export type Logger = (event: string, fields: Record<string, unknown>) => void;

/** Told of every answered request (the metrics histogram); must be cheap, it runs per request. */
export type RequestObserver = (method: string, route: string, status: number, seconds: number) => void;

interface AfterResponse {
  readonly request: Request;
  readonly route?: string;
  readonly set: { status?: number | string; headers: Record<string, unknown> };
  readonly requestId?: string;
  readonly startedAt?: number;
  readonly responseValue?: unknown;
  readonly user?: { readonly id: number };
}

/**
 * A domain failure as Elysia's `status()`, so handlers can `return problem(...)`. Typed `never` so a
 * route's declared response map keeps describing its success body; the statuses it can produce are
 * listed per route for the docs, and the one table in errors.ts decides them.
 */
export const problem = (error: DomainError): never => {
  const { status: code, detail, retryAfter } = httpError(error);
  if (retryAfter !== undefined) {
    // A limit that lifts by itself says when; `set` headers (request id, security) are merged in.
    return new Response(JSON.stringify({ detail }), {
      status: code,
      headers: { 'content-type': JSON_TYPE, 'retry-after': String(retryAfter) },
    }) as never;
  }
  return status(code, { detail }) as never;
};

const json = (status: number, detail: string, requestId?: string) =>
  new Response(JSON.stringify({ detail }), {
    status,
    headers: { 'content-type': JSON_TYPE, ...(requestId ? { 'x-request-id': requestId } : {}) },
  });

/** A body refused in the parse phase: too large, of unknown length, or not JSON we can trust. */
class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 411,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * A readable reason for a schema failure: which field, and what was expected. Elysia builds these
 * parts lazily from the offending value, so any failure there falls back to a plain message.
 */
export function validationDetail(error: unknown): string {
  try {
    const e = error as {
      type?: string;
      value?: unknown;
      valueError?: { path?: string; message?: string };
      validator?: { schema?: { title?: unknown }; title?: unknown };
    };
    // No body at all, text, or JSON that is not an object: there is no object to have fields. (A form
    // body parses into an object: its fields are checked one by one like JSON's.)
    if (
      e.type === 'body' &&
      !e.valueError?.path &&
      (typeof e.value !== 'object' || e.value === null || Array.isArray(e.value))
    )
      return '请求参数错误: 请求体应为 JSON 对象（Content-Type: application/json）';
    // Elysia hands either a compiled validator (with `schema`) or the schema itself.
    const title = e.validator?.schema?.title ?? e.validator?.title;
    const path = String(e.valueError?.path || title || '').replace(/^\//, '');
    const what = inChinese(String(e.valueError?.message ?? ''));
    return path ? `请求参数错误: ${path.slice(0, 100)} ${what}` : `请求参数错误: ${what}`;
  } catch {
    return '请求参数错误';
  }
}

/** TypeBox's English messages, said as the contract says errors: in Chinese. */
const MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/required property/i, '为必填字段'],
  [/unexpected property|additional propert/i, '是不允许的字段'],
  [/^Expected (integer|number)$/i, '应为数字'],
  [/^Expected string$/i, '应为字符串'],
  [/^Expected boolean$/i, '应为 true 或 false'],
  [/^Expected (object|array)$/i, '格式不正确'],
];

function inChinese(message: string): string {
  for (const [english, chinese] of MESSAGES) if (english.test(message)) return chinese;
  // Ranges, lengths, patterns, enums and Elysia's numeric coercion ("Expected union value").
  return '格式不正确或超出范围';
}

const JSON_CONTENT = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** A request id a trusted proxy may hand us: short, and nothing that could forge a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Request ids, the 1 MiB body limit and the error envelope: every error leaves as `{detail}` with the
 * contract's status (validation → 400, not Elysia's 422), and anything unexpected as a 500 with one
 * structured log line carrying the request id. An `X-Request-Id` is taken over only from a trusted
 * proxy (`fromTrustedProxy`): from anyone else it could plant ids in our logs or collide with ours.
 */
export const httpBasics = (
  log: Logger,
  newId: () => string,
  rawBodyRoutes: ReadonlySet<string> = new Set(),
  observe?: RequestObserver,
  fromTrustedProxy: (request: Request) => boolean = () => false,
  methodsFor: AllowedMethods = () => [],
) => {
  /**
   * One access line per request, after the response is sent (off the client's clock). Destructured
   * parameters only (see onError); `user` is there when the route's auth resolved one.
   */
  const access = ({ request, route, set, requestId, startedAt, responseValue, user }: AfterResponse) => {
    const status = responseValue instanceof Response ? responseValue.status : Number(set.status) || 200;
    const seconds = startedAt === undefined ? 0 : (performance.now() - startedAt) / 1000;
    const pattern = route || '(unmatched)';
    observe?.(request.method, pattern, status, seconds);
    const method = request.method;
    const ms = Math.round(seconds * 1e5) / 100;
    // A request no route matched skips derive; onError put its id in the headers.
    const request_id = requestId ?? set.headers['x-request-id'];
    // Two literals rather than a conditional spread: this runs once per request.
    log(
      'http.access',
      user
        ? { method, route: pattern, status, ms, user_id: user.id, request_id }
        : { method, route: pattern, status, ms, request_id },
    );
  };
  return (
    new Elysia({ name: 'http-basics' })
      // The id header goes into `set` here, so Elysia writes it with the response it builds anyway;
      // an after-handle hook would cost a second pass over every response's headers. The socket is
      // looked at only when a request brings an id of its own.
      .derive({ as: 'global' }, ({ request, set }) => {
        const given = request.headers.get('x-request-id');
        const requestId =
          given !== null && REQUEST_ID.test(given) && fromTrustedProxy(request) ? given : newId();
        set.headers['x-request-id'] = requestId;
        return { requestId, startedAt: performance.now() };
      })
      .onAfterResponse({ as: 'global' }, access as never)
      // Only requests whose body is read reach the parse phase: GETs pay nothing for these checks.
      // Every JSON body then goes through our parser (json-body.ts) before validation; the signed
      // callback routes get the exact text instead, which they verify before parsing anything.
      .onParse({ as: 'global' }, async ({ request, route }) => {
        const length = request.headers.get('content-length');
        if (Number(length ?? '0') > MAX_BODY_BYTES) throw new BodyRefused(413, '请求体过大（上限 1 MiB）');
        // A chunked body's size is unknown until read; requiring a length keeps the 1 MiB rule exact.
        if (length === null && /chunked/i.test(request.headers.get('transfer-encoding') ?? '')) {
          throw new BodyRefused(411, '请求需要 Content-Length');
        }
        const raw = rawBodyRoutes.has(route);
        if (!raw && !JSON_CONTENT.test(request.headers.get('content-type') ?? '')) return;
        const text = await request.text();
        if (text.length > MAX_BODY_BYTES) throw new BodyRefused(413, '请求体过大（上限 1 MiB）');
        if (raw) return text;
        // wx.request sends `content-type: application/json` by default, also with no `data` (the
        // seed's payOrder): an empty body is no fields at all. A route that needs fields says which.
        if (text.trim() === '') return {};
        const parsed = parseJsonBody(text);
        if (!parsed.ok) throw new BodyRefused(400, JSON_BODY_DETAIL[parsed.problem]);
        return parsed.value;
      })
      // No `...rest` in this signature: Elysia reads hook parameters to decide what to prepare per
      // request, and a rest element makes it parse query, headers and cookies for every request.
      .onError({ as: 'global' }, ({ code, error, request, path, set, requestId: derived }) => {
        const requestId = (derived as string | undefined) ?? newId();
        const answer = (r: Response) => {
          // The access hook reads the status from `set` when the handler produced no Response.
          set.status = r.status;
          set.headers['x-request-id'] = requestId;
          return r;
        };
        // A status thrown on purpose (the auth check in the transform phase) is an answer, not a fault.
        if (error instanceof ElysiaCustomStatusResponse) {
          return answer(
            new Response(JSON.stringify(error.response), {
              status: error.code,
              headers: {
                ...(set.headers as Record<string, string>),
                'content-type': JSON_TYPE,
                'x-request-id': requestId,
              },
            }),
          );
        }
        // Elysia wraps whatever a parse hook throws into its ParseError.
        const refused = (error as { cause?: unknown }).cause;
        if (refused instanceof BodyRefused) return answer(json(refused.status, refused.message, requestId));
        // A known path asked with a method it does not take: say which it takes.
        const wrongMethod =
          code === 'NOT_FOUND' || (code === 'VALIDATION' && (error as { type?: unknown }).type === 'params')
            ? methodsFor(request.method, path, code === 'VALIDATION')
            : [];
        if (wrongMethod.length > 0) {
          const refused = json(
            405,
            `该接口不支持 ${request.method} 请求，请使用 ${wrongMethod.join(' 或 ')}`,
            requestId,
          );
          refused.headers.set('allow', wrongMethod.join(', '));
          return answer(refused);
        }
        switch (code) {
          case 'VALIDATION':
            return answer(json(400, validationDetail(error), requestId));
          case 'PARSE':
            return answer(json(400, '请求体不是合法的 JSON', requestId));
          case 'NOT_FOUND':
            return answer(json(404, '接口不存在', requestId));
          case 'INVALID_COOKIE_SIGNATURE':
          case 'INVALID_FILE_TYPE':
            return answer(json(400, '请求参数错误', requestId));
        }
        const status = (error as { status?: unknown }).status;
        if (status === 413) return answer(json(413, '请求体过大（上限 1 MiB）', requestId));
        log('http.unhandled_error', {
          request_id: requestId,
          method: request.method,
          path,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          stack: error instanceof Error ? error.stack?.split('\n').slice(0, 6).join(' | ') : undefined,
        });
        return answer(json(500, INTERNAL_ERROR, requestId));
      })
  );
};
