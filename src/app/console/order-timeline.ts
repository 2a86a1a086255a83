import type { Order } from '../../domain/order';
import type { AppDeps } from '../http/context';
import { html, type SafeHtml } from './html';
import { when } from './view';

/** The order's timeline on its detail page (interim: the operator actions on it, newest first). */
export async function orderTimelineSection(deps: AppDeps, order: Order, _cursor?: string): Promise<SafeHtml> {
  const tz = deps.settings.timeZone;
  const { entries } = await deps.operatorAudit.byTarget(
    { kind: 'order', id: String(order.id) },
    { skip: 0, limit: 50 },
  );
  return html`<ol class="timeline" data-testid="timeline">${entries.map(
    (e) =>
      html`<li><time>${when(e.at, tz)}</time> <span class="kind">操作员</span> ${e.actor.username}：${e.action}${e.reason ? `（${e.reason}）` : ''}</li>`,
  )}</ol>`;
}
