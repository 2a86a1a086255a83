import { html, type SafeHtml } from './html';

export const PAGE_SIZE = 50;
/** Deeper than this a list is searched, not paged through (and `skip` stays cheap). */
export const MAX_PAGE = 200;

/** Page `n` (1-based) of `?page=`: anything else is page 1. */
export function pageOf(
  raw: string | undefined,
  size = PAGE_SIZE,
): { n: number; skip: number; limit: number } {
  const n = /^\d{1,4}$/.test(raw ?? '') ? Math.min(Math.max(1, Number(raw)), MAX_PAGE) : 1;
  // One more than a page: whether a next page exists, without counting.
  return { n, skip: (n - 1) * size, limit: size + 1 };
}

/** Previous / next links; `params` are the list's other query parameters, kept as they are. */
export function pager(
  path: string,
  n: number,
  hasNext: boolean,
  params: Record<string, string> = {},
): SafeHtml {
  const href = (page: number) => `${path}?${new URLSearchParams({ ...params, page: String(page) })}`;
  return html`<nav class="pager" aria-label="分页">
  ${n > 1 ? html`<a href="${href(n - 1)}" rel="prev">上一页</a>` : html`<span class="muted">上一页</span>`}
  <span>第 ${n} 页</span>
  ${hasNext && n < MAX_PAGE ? html`<a href="${href(n + 1)}" rel="next">下一页</a>` : html`<span class="muted">下一页</span>`}
</nav>`;
}
