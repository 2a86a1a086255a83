import { dirname, join } from 'node:path';
import { swagger } from '@elysiajs/swagger';
import { Elysia } from 'elysia';
import { SWAGGER_PAGE_CSP } from './headers';
import { tidyOpenApi } from './openapi-tidy';

/**
 * The OpenAPI spec comes from @elysiajs/swagger at /swagger/json. Its built-in page loads Swagger UI
 * from unpkg.com, which a closed network (or a mainland-China deployment) cannot reach, so /swagger
 * is our own page serving the same UI from the pinned `swagger-ui-dist` package.
 */
const UI_DIR = dirname(Bun.resolveSync('swagger-ui-dist/package.json', import.meta.dir));
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
]);

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8" />
  <title>积分商城支付服务 API</title>
  <link rel="stylesheet" href="/swagger/assets/swagger-ui.css" />
  <link rel="icon" href="/swagger/assets/favicon-32x32.png" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/assets/swagger-ui-bundle.js"></script>
  <script src="/swagger/assets/init.js"></script>
</body>
</html>`;

/** A file of its own, not an inline script: the page's CSP allows scripts from this origin only. */
const INIT = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: '/swagger/json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });
};
`;

export const docs = () =>
  new Elysia({ name: 'docs' })
    // Before the plugin, so its spec route gets the hook (see openapi-tidy.ts).
    .onAfterHandle(({ path, response }) => (path === '/swagger/json' ? tidyOpenApi(response) : undefined))
    .use(
      swagger({
        provider: 'swagger-ui',
        path: '/swagger/cdn',
        specPath: '/swagger/json',
        exclude: [/^\/swagger/],
        documentation: {
          info: {
            title: '积分商城支付服务 API',
            version: '0.1.0',
            description:
              '微信小程序积分套餐购买与支付服务。错误统一为 `{"detail": "..."}`；金额以元显示、以分存储；时间为 `YYYY-MM-DDTHH:mm:ss`（服务时区）。',
          },
          tags: [
            { name: '商品', description: '积分套餐' },
            { name: '用户', description: '登录与个人信息' },
            { name: '订单', description: '下单、支付、查询' },
            { name: '积分', description: '积分流水' },
            { name: '支付回调', description: '由支付网关 / 微信支付调用' },
            { name: '管理', description: '管理员接口（需要 admin 角色）' },
            { name: '运维', description: '健康检查' },
          ],
          components: {
            securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
        },
      }),
    )
    .get(
      '/swagger',
      () =>
        new Response(PAGE, {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': SWAGGER_PAGE_CSP,
          },
        }),
      { detail: { hide: true } },
    )
    .get(
      '/swagger/assets/:file',
      ({ params, status }) => {
        if (params.file === 'init.js')
          return new Response(INIT, { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
        return ASSETS.has(params.file)
          ? Bun.file(join(UI_DIR, params.file))
          : status(404, { detail: '文件不存在' });
      },
      { detail: { hide: true } },
    );
