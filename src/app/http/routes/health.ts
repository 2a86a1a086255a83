import { Elysia, t } from 'elysia';
import type { AppDeps } from '../context';

const Check = t.Union([t.Literal('up'), t.Literal('down')]);
const Checks = t.Object({ database: Check, provider: t.Union([Check, t.Literal('unchecked')]) });
const Ready = t.Object({ status: t.Literal('ready'), checks: Checks });
/** `detail` as every error of this API has it, plus which dependency is down. */
const NotReady = t.Object({ status: t.Literal('unavailable'), detail: t.String(), checks: Checks });

export const healthRoutes = (deps: Pick<AppDeps, 'dbReady' | 'providerReady'>) =>
  new Elysia({ name: 'health', detail: { tags: ['运维'] } })
    .get('/health', () => ({ status: 'ok' as const }), {
      detail: { summary: '进程存活检查' },
      response: { 200: t.Object({ status: t.Literal('ok') }) },
    })
    .get(
      '/ready',
      async ({ status }) => {
        // Both at once: a slow provider must not hide a dead database (or the reverse). Only up/down
        // per dependency: no URL, error text or key material leaves.
        const [db, provider] = await Promise.all([
          deps.dbReady(),
          deps.providerReady ? deps.providerReady() : Promise.resolve(undefined),
        ]);
        const checks = {
          database: db ? ('up' as const) : ('down' as const),
          provider:
            provider === undefined ? ('unchecked' as const) : provider ? ('up' as const) : ('down' as const),
        };
        if (db && provider !== false) return { status: 'ready' as const, checks };
        const down = [db ? '' : '数据库不可用', provider === false ? '支付服务不可达' : ''].filter(Boolean);
        return status(503, { status: 'unavailable' as const, detail: down.join('；'), checks });
      },
      {
        detail: {
          summary: '就绪检查（数据库、支付服务可达）',
          description: '任一依赖不可用时返回 503，`checks` 指出是哪一个（up/down），不含地址或错误详情。',
        },
        response: { 200: Ready, 503: NotReady },
      },
    );
