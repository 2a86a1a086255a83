// `bun run audit`: the integrity audit over the database at MONGODB_URI, or else the running local
// one of `npm start` (DATA_DIR, FERRETDB_PORT as there, like the operator commands). Runs it here,
// to the end, prints the report as JSON and stores it (trigger `cli`, the latest report GET
// /api/admin/audit shows); exits 0 when every invariant holds, 1 on any violation, 2 when it could not run.
import { createWebhookChannel } from '../src/adapters/alerts/webhook';
import { connectMongo, mongoRepositories } from '../src/adapters/mongo';
import { systemClock } from '../src/adapters/system/clock';
import { cryptoRandom } from '../src/adapters/system/random';
import { alertService } from '../src/app/alerts';
import { createLogger } from '../src/app/logger';
import { recordedAudit } from '../src/domain/usecases/audit-runs';
import { databaseUri } from './operator-cli';

const maxFindings = Number(process.env.AUDIT_MAX_FINDINGS ?? 200);
// Log lines go to stderr: stdout is the report.
const log = createLogger({ destination: { write: (line: string) => process.stderr.write(line) } });

try {
  const conn = await connectMongo(databaseUri(), { serverSelectionTimeoutMS: 5000 });
  try {
    const repos = mongoRepositories(conn);
    const alerts = auditAlerts(repos);
    const run = await recordedAudit({ ...repos, alerts, clock: systemClock, random: cryptoRandom, log })(
      'cli',
      { maxFindings },
    );
    const { report } = run;
    console.log(JSON.stringify(report, null, 2));
    const { users, entries, orders, reviews } = report.scanned;
    const summary = report.ok
      ? 'no violations'
      : Object.entries(report.violations)
          .map(([check, n]) => `${check}: ${n}`)
          .join(', ');
    console.error(
      `audit ${run.id}: ${users} users, ${entries} ledger entries, ${orders} orders, ${reviews} reviews — ${summary}`,
    );
    process.exitCode = report.ok ? 0 : 1;
    await alerts.idle();
  } finally {
    await conn.close();
  }
} catch (e) {
  console.error(`audit could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}

/**
 * Violations are an alert like the API's (the same outbox, deduplicated per hour), sent before the
 * command exits when ALERT_WEBHOOK_URL is set; a failed send stays in the outbox for the API's
 * delivery job to retry.
 */
function auditAlerts(repos: ReturnType<typeof mongoRepositories>) {
  const url = process.env.ALERT_WEBHOOK_URL?.trim();
  const format = process.env.ALERT_WEBHOOK_FORMAT?.trim() === 'json' ? 'json' : 'wecom';
  return alertService(
    {
      alertOutbox: repos.alertOutbox,
      rateWindows: repos.rateWindows,
      clock: systemClock,
      log,
      ...(url ? { alertChannel: createWebhookChannel({ url, format }) } : {}),
    },
    { perMinute: 20 },
  );
}
