import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { html } from '../html';

/**
 * Any other GET under /admin (a mistyped or outdated link): a console page saying so, with the way
 * back, instead of the API's JSON 404. Registered last; the router prefers every real page.
 */
export const notFoundPage = (deps: AppDeps) =>
  consolePage(deps).get(
    '/*',
    ({ render }) =>
      render(
        {
          title: '页面不存在',
          active: 'none',
          body: html`<p>没有这个页面，可能是链接输错了或已过期。</p><p><a href="/admin">返回总览</a></p>`,
        },
        404,
      ),
    { detail: { hide: true } },
  );
