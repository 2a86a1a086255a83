import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Elysia } from 'elysia';

const read = (name: string) => readFileSync(join(import.meta.dir, '..', 'static', name), 'utf8');

/** Read once at start: the console needs no build step and no CDN. */
const FILES = {
  'console.css': { body: read('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { body: read('console.js'), type: 'text/javascript; charset=utf-8' },
} as const;

/** `/admin/static/*`: public (the login page uses them), revalidated on every load (`no-cache`). */
export const staticFiles = () =>
  new Elysia().get(
    '/static/:file',
    ({ params }) => {
      const file = FILES[params.file as keyof typeof FILES];
      if (!file) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
      return new Response(file.body, {
        headers: {
          'content-type': file.type,
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
        },
      });
    },
    { detail: { hide: true } },
  );
