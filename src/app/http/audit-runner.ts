import { type AuditOnDemand, auditOnDemand } from '../../domain/usecases/audit-runs';
import type { AppDeps } from './context';

const runners = new WeakMap<AppDeps, AuditOnDemand>();

/**
 * The on-demand audit runner of one composed app, shared by `POST /api/admin/audit` and the
 * console's 数据核查 page, so the two together start one whole-store scan at a time in a process.
 */
export function auditRunner(deps: AppDeps): AuditOnDemand {
  let runner = runners.get(deps);
  if (!runner) {
    runner = auditOnDemand(deps);
    runners.set(deps, runner);
  }
  return runner;
}
