import { auditAlert } from '../alert-kinds';
import type { AuditTrigger, StoredAuditReport } from '../audit';
import { timeOrderedId } from '../event-id';
import { type AuditDeps, AuditStopped, auditStore } from './audit';
import type { Deps } from './deps';

export type AuditRunDeps = AuditDeps & Pick<Deps, 'auditReports' | 'clock' | 'random' | 'log' | 'alerts'>;

/**
 * One whole run of the integrity audit: scans, logs `audit.clean` / `audit.violations`, raises the
 * alert on violations and stores the report under `trigger`. The alert is raised before the report
 * is saved, so a store that fails to take the report does not swallow it. A run `stop` ends (the
 * process is stopping) logs `audit.stopped` and throws `AuditStopped`.
 */
export function recordedAudit(deps: AuditRunDeps) {
  const audit = auditStore(deps);
  return async (
    trigger: AuditTrigger,
    opts: { readonly maxFindings: number; readonly startedAt?: Date; readonly stop?: () => boolean },
  ): Promise<StoredAuditReport> => {
    const startedAt = opts.startedAt ?? deps.clock.now();
    const report = await audit({ maxFindings: opts.maxFindings, stop: opts.stop }).catch((e) => {
      if (e instanceof AuditStopped) deps.log('audit.stopped', { trigger });
      throw e;
    });
    const run: StoredAuditReport = {
      id: timeOrderedId(startedAt, deps.random, 8),
      trigger,
      startedAt,
      finishedAt: deps.clock.now(),
      report,
    };
    deps.log(report.ok ? 'audit.clean' : 'audit.violations', {
      trigger,
      report_id: run.id,
      violations: report.violations,
      ...report.scanned,
    });
    if (!report.ok) deps.alerts?.raise(auditAlert(report.violations));
    await deps.auditReports.save(run);
    return run;
  };
}

/**
 * Audits started by hand (POST /api/admin/audit), in the background and one at a time per process:
 * a run takes minutes on a grown store, and a retry while one runs would only start another full
 * scan beside it. Across instances nothing is shared; the daily audit claims its date instead.
 */
export function auditOnDemand(deps: AuditRunDeps, maxFindings = 200) {
  const run = recordedAudit(deps);
  let current: { readonly startedAt: Date; readonly done: Promise<void> } | null = null;
  /** The last run started here, when it failed (cleared by the next that finishes): shown beside the stored report. */
  let failure: AuditFailure | null = null;
  let stopping = false;
  const idle = async (): Promise<void> => {
    while (current) await current.done;
  };
  return {
    /** Starts a run unless one is running here; either way answers when the running one started. */
    start(trigger: 'api' | 'console'): Date {
      if (current) return current.startedAt;
      const startedAt = deps.clock.now();
      const done = run(trigger, { maxFindings, startedAt, stop: () => stopping })
        .then(() => {
          failure = null;
        })
        .catch((e) => {
          if (e instanceof AuditStopped) return;
          const error = e instanceof Error ? e.message : String(e);
          failure = { startedAt, failedAt: deps.clock.now(), error };
          deps.log('audit.failed', { error });
        })
        .finally(() => {
          current = null;
        });
      current = { startedAt, done };
      return startedAt;
    },
    /** The last run started here, if it failed (until a later one finishes). */
    lastFailure: (): AuditFailure | null => failure,
    /** When the run in progress here started, or null when none is. */
    runningSince: (): Date | null => current?.startedAt ?? null,
    /** Settles once no run is in progress here (tests; a shutdown that waits). */
    idle,
    /** Ends the run in progress at its next record (the process is stopping) and waits for it; later runs start as usual. */
    async stop(): Promise<void> {
      stopping = true;
      await idle();
      stopping = false;
    },
  };
}

export type AuditOnDemand = ReturnType<typeof auditOnDemand>;

export interface AuditFailure {
  readonly startedAt: Date;
  readonly failedAt: Date;
  readonly error: string;
}
