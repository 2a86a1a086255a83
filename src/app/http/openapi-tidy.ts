/**
 * What @elysiajs/swagger generates, made true to what the server does:
 * - Elysia's `t.Integer` accepts numeric strings when it coerces input, so the generator writes every
 *   integer as "a string (default 0) or an integer"; responses and JSON bodies carry plain integers,
 *   and a client generated from the spec would type every id as `string | number`.
 * - It lists `multipart/form-data` and `text/plain` beside JSON for every body and answer (and only
 *   `text/plain` for routes that read the raw text): the API takes and gives JSON only.
 * - A bearer route's 401 and 403 come from the auth hook, so routes did not all list them.
 * - Responses lacked the `description` OpenAPI 3.0 requires and carried keys it does not have.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `anyOf: [{type: string, format: integer, …}, {type: integer, …}]` → the integer branch. */
function plainInteger(schema: Json): Json | null {
  const anyOf = schema.anyOf;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return null;
  const [text, integer] = anyOf as unknown[];
  if (!isObject(text) || !isObject(integer)) return null;
  if (text.type !== 'string' || text.format !== 'integer' || integer.type !== 'integer') return null;
  const { anyOf: _, ...rest } = schema;
  return { ...rest, ...integer };
}

/**
 * Our decimal path and query parameters (schemas.ts `decimalParam`) are strings with a pattern to the
 * validator and integers on the wire; JSON body ids are numbers with `multipleOf: 1` (so "1" is
 * refused) — both are integers to a client.
 */
function asInteger(schema: Json): Json | null {
  const range = schema['x-integer'];
  if (isObject(range)) {
    const { pattern: _p, maxLength: _m, type: _t, 'x-integer': _x, ...rest } = schema;
    return { ...rest, type: 'integer', ...range };
  }
  if (schema.type === 'number' && schema.multipleOf === 1) {
    const { multipleOf: _, ...rest } = schema;
    return { ...rest, type: 'integer' };
  }
  return null;
}

function tidySchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidySchema);
  if (!isObject(value)) return value;
  const integer = plainInteger(value) ?? asInteger(value);
  if (integer) return integer;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidySchema(v)]));
}

/**
 * An OpenAPI 3.0 response: `description` (required), `headers`, `content`, `links`. The generator
 * leaves out the description and puts `examples` (and `items`) beside `content`: the first example
 * moves into the JSON content, the rest goes.
 */
function tidyAnswer(code: string, answer: Json): Json {
  const content = jsonOnly(answer.content);
  const examples = answer.examples;
  const json = isObject(content) ? content['application/json'] : undefined;
  if (Array.isArray(examples) && examples.length > 0 && isObject(json) && json.example === undefined)
    json.example = examples[0];
  return {
    description:
      typeof answer.description === 'string'
        ? answer.description
        : code.startsWith('2')
          ? '成功'
          : '错误（{"detail": "…"}）',
    ...(answer.headers ? { headers: answer.headers } : {}),
    ...(content ? { content } : {}),
    ...(answer.links ? { links: answer.links } : {}),
  };
}

/** Only the JSON entry of a `content` map (a `text/plain`-only one is JSON read as text). */
function jsonOnly(content: unknown): unknown {
  if (!isObject(content)) return content;
  const json = content['application/json'] ?? content['text/plain'];
  return json === undefined ? content : { 'application/json': json };
}

const ERROR_SCHEMA = {
  type: 'object',
  properties: { detail: { type: 'string' } },
  required: ['detail'],
};

/** Every bearer route answers these before its handler runs (auth.ts); routes need not list them. */
const BEARER_ANSWERS: Readonly<Record<string, string>> = {
  '401': '未登录、令牌无效或已过期（{"detail": "…"}）',
  '403': '用户已被禁用，或需要管理员权限（{"detail": "…"}）',
};

const usesBearer = (op: Json) =>
  Array.isArray(op.security) && op.security.some((s) => isObject(s) && 'bearerAuth' in s);

export function tidyOpenApi(doc: unknown): unknown {
  if (!isObject(doc) || !isObject(doc.paths)) return doc;
  for (const operations of Object.values(doc.paths)) {
    if (!isObject(operations)) continue;
    for (const op of Object.values(operations)) {
      if (!isObject(op)) continue;
      if (isObject(op.requestBody)) op.requestBody.content = jsonOnly(op.requestBody.content);
      if (isObject(op.responses)) {
        for (const [code, answer] of Object.entries(op.responses))
          if (isObject(answer)) op.responses[code] = tidyAnswer(code, answer);
        if (usesBearer(op))
          for (const [code, description] of Object.entries(BEARER_ANSWERS))
            op.responses[code] ??= { description, content: { 'application/json': { schema: ERROR_SCHEMA } } };
      }
    }
  }
  return tidySchema(doc);
}
