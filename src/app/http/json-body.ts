/**
 * Our own JSON body parser, run before any validation. Elysia's parser accepts anything JSON.parse
 * does, and its validator and error formatter then recurse through the value: a 10,000-deep array
 * (no token needed, the login `code` is enough) blocked the event loop for seconds and ended in a
 * 500. Nesting is therefore counted on the raw text first, which costs one pass and no recursion.
 */
export const MAX_JSON_DEPTH = 32;

export type JsonBodyProblem = 'malformed' | 'too_deep' | 'forbidden_key' | 'ill_formed_text';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest `[`/`{` nesting outside strings; stops counting once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return max;
}

/** A lone UTF-16 surrogate: BSON stores it as U+FFFD, so a retry of the same request would differ. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Refused extends Error {
  constructor(readonly problem: JsonBodyProblem) {
    super(problem);
  }
}

/**
 * Parses a request body, refusing what validation cannot be trusted with: deep nesting, a
 * `__proto__` key (JSON.parse makes it an own property that later object spreads turn into a
 * prototype, so it slipped past `additionalProperties: false`), and strings that are not
 * well-formed UTF-16.
 */
export function parseJsonBody(
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: JsonBodyProblem } {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { ok: false, problem: 'too_deep' };
  try {
    const value: unknown = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') throw new Refused('forbidden_key');
      if (LONE_SURROGATE.test(key) || (typeof v === 'string' && LONE_SURROGATE.test(v)))
        throw new Refused('ill_formed_text');
      return v;
    });
    return { ok: true, value };
  } catch (e) {
    return { ok: false, problem: e instanceof Refused ? e.problem : 'malformed' };
  }
}

export const JSON_BODY_DETAIL: Readonly<Record<JsonBodyProblem, string>> = {
  malformed: '请求体不是合法的 JSON',
  too_deep: `请求体嵌套过深（上限 ${MAX_JSON_DEPTH} 层）`,
  forbidden_key: '请求体包含不允许的字段名',
  ill_formed_text: '请求体包含无效的 Unicode 字符（孤立代理项）',
};
