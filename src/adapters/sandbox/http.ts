/** One route group: answers the request, or null to let the next group try. */
export type Handler = (req: Request, url: URL) => Promise<Response | null>;

export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

// Sandbox bodies are tiny; refusing big ones keeps a misbehaving client from eating memory.
const MAX_BODY = 64 * 1024;

/** The JSON object in the body, or undefined for anything else (too big, not JSON, not an object). */
export async function readJsonObject(req: Request): Promise<Record<string, unknown> | undefined> {
  const text = await req.text();
  if (text.length > MAX_BODY) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
