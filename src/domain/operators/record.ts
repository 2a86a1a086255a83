import { timeOrderedId } from '../event-id';
import { localDay, localParts } from '../time';
import type { AuditTarget, OperatorAuditEntry } from './audit';
import type { OperatorDeps } from './deps';

export interface AuditActor {
  readonly id: number | null;
  readonly username: string;
}

/** What a caller says about an action; who, when and the id are filled in. */
export interface AuditFacts {
  readonly action: string;
  readonly target: AuditTarget;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason?: string | null;
}

/** Appends one entry to the operator audit log. */
export const recordAudit =
  (deps: Pick<OperatorDeps, 'operatorAudit' | 'clock' | 'random' | 'settings'>) =>
  async (actor: AuditActor, ip: string, facts: AuditFacts): Promise<OperatorAuditEntry> => {
    const at = deps.clock.now();
    const entry: OperatorAuditEntry = {
      id: timeOrderedId(at, deps.random, 10),
      at,
      day: localDay(at, deps.settings.timeZone),
      hour: Number(localParts(at, deps.settings.timeZone).hour),
      actor: { id: actor.id, username: actor.username },
      ip,
      action: facts.action,
      target: facts.target,
      before: facts.before ?? null,
      after: facts.after ?? null,
      reason: facts.reason ?? null,
    };
    await deps.operatorAudit.record(entry);
    return entry;
  };
