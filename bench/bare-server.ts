// The baseline for bench/run.ts: a bare Bun.serve answering GET /api/products/ with the exact bytes
// (and content type) the API returned, so the difference is the framework and app, not the payload.
// env: BARE_PORT, BARE_BODY_FILE, BARE_CONTENT_TYPE
import { readFileSync } from 'node:fs';

const port = Number(process.env.BARE_PORT ?? 0);
const bodyFile = process.env.BARE_BODY_FILE;
if (!bodyFile) throw new Error('BARE_BODY_FILE is required');
const body = readFileSync(bodyFile);
const contentType = process.env.BARE_CONTENT_TYPE || 'application/json';

const server = Bun.serve({
  port,
  hostname: '127.0.0.1',
  fetch(req) {
    const { pathname } = new URL(req.url);
    if (req.method === 'GET' && pathname === '/api/products/')
      return new Response(body, { headers: { 'content-type': contentType } });
    if (pathname === '/health') return Response.json({ status: 'ok' });
    return new Response('not found', { status: 404 });
  },
});
console.log(`bare server listening on http://127.0.0.1:${server.port}`);

const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
