import { Elysia, t } from 'elysia';
import type { AppDeps } from '../context';

export const healthRoutes = (deps: Pick<AppDeps, 'dbReady'>) =>
  new Elysia({ name: 'health', detail: { tags: ['运维'] } })
    .get('/health', () => ({ status: 'ok' as const }), {
      detail: { summary: '进程存活检查' },
      response: { 200: t.Object({ status: t.Literal('ok') }) },
    })
    .get(
      '/ready',
      async ({ status }) =>
        (await deps.dbReady()) ? { status: 'ready' as const } : status(503, { detail: '数据库不可用' }),
      {
        detail: { summary: '就绪检查（数据库可达）' },
        response: { 200: t.Object({ status: t.Literal('ready') }), 503: t.Object({ detail: t.String() }) },
      },
    );
