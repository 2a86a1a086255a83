import { connectMongo } from '../adapters/mongo';
import { startAlertJobs } from './alerts';
import { ConfigError, loadConfig } from './config';
import { compose } from './container';
import { startHousekeeping } from './housekeeping';
import { auditRunner } from './http/audit-runner';
import { startIdleCollection } from './idle-collect';
import {
  startClaimsBackfill,
  startCreditBaselineJob,
  startListBackfill,
  startOrderListBackfill,
  startShippingJob,
  startStatementJob,
  startSweeper,
  startTokenKeeper,
} from './jobs';
import { countSweep } from './metrics/instrument';

/** The only file that reads the environment, connects and listens. */
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
// Log lines carry the process's own offset; with TZ unset that was UTC while README (and every time the
// API answers with) says TZ, default Asia/Shanghai. Bun applies a TZ set at run time.
process.env.TZ = config.timeZone;

const conn = await connectMongo(config.mongodbUri).catch((e: unknown) => {
  // The URI may carry a password: only the reason goes out, in one line.
  console.error(`api: cannot reach the database: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
const { app, deps, metrics, wechat, alerts, drainTimeline } = await compose(config, process.env, conn).catch(
  (e) => {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  },
);
try {
  app.listen({ port: config.port, hostname: config.host });
} catch (e) {
  // One clear line instead of Bun's stack trace: the usual cause is another process on the port.
  const code = (e as { code?: unknown }).code;
  const reason =
    code === 'EADDRINUSE'
      ? `port ${config.port} on ${config.host} is already in use (another API instance? set PORT)`
      : code === 'EACCES'
        ? `no permission to listen on port ${config.port}`
        : e instanceof Error
          ? e.message
          : String(e);
  console.error(`api: cannot listen: ${reason}`);
  await conn.close();
  process.exit(1);
}
const log = deps.log;
const stopClaimsBackfill = startClaimsBackfill(deps);
const stopOrderListBackfill = startOrderListBackfill(deps);
const stopListBackfills = [
  startListBackfill(
    'alerts',
    deps.alertOutbox?.backfillList &&
      ((stop) => deps.alertOutbox!.backfillList!(stop, { delivering: Boolean(config.alerts.webhookUrl) })),
    log,
  ),
  startListBackfill('reviews', deps.reviews.backfillList?.bind(deps.reviews), log),
];
const stopSweeper = startSweeper(deps, { ...config.sweeper, onRun: (tally) => countSweep(metrics, tally) });
const { statements, statementReports } = deps;
const stopStatements =
  statements && statementReports
    ? startStatementJob({ ...deps, statements, statementReports }, config.statement)
    : async () => {};
const { figureStore } = deps;
const stopBaseline = figureStore
  ? startCreditBaselineJob({ ...deps, figureStore }, { checkIntervalMs: 5 * 60_000 })
  : async () => {};
const stopShipping = deps.shipping
  ? startShippingJob(deps, deps.shipping, { intervalMs: config.wechatPlatform.shipping.intervalMs })
  : async () => {};
// Only where something calls WeChat's server APIs with the token (shipping uploads, for now).
const stopTokenKeeper = wechat.usesToken(deps)
  ? startTokenKeeper(wechat.accessTokens, config.wechatPlatform.tokenCheckMs, log)
  : async () => {};
const alertRetentionMs = config.alerts.retentionDays * 86_400_000;
const stopHousekeeping = startHousekeeping(deps, 60_000, [
  wechat.tokenStore,
  { purge: async (now) => deps.alertOutbox?.purge(new Date(now.getTime() - alertRetentionMs)) },
]);
const stopAlerts = startAlertJobs(deps, alerts, config.alerts);
const stopIdleGc = startIdleCollection({
  served: async () => metrics.http.total(),
  inFlight: () => app.server?.pendingRequests ?? 0,
  intervalMs: config.idleGcMs,
  collect: () => Bun.gc(true),
  log,
});
log('api.listening', { port: app.server?.port, provider: config.paymentProvider, env: config.env });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log('api.stopping', { signal });
  // Stop accepting, let in-flight requests finish, then release the database.
  await app.stop(false);
  // An integrity audit started by hand ends at its next record: it may have minutes left.
  await auditRunner(deps).stop();
  await stopSweeper();
  await stopClaimsBackfill();
  await stopOrderListBackfill();
  await Promise.all(stopListBackfills.map((stop) => stop()));
  await stopStatements();
  await stopShipping();
  await stopTokenKeeper();
  await stopHousekeeping();
  await stopAlerts();
  await stopIdleGc();
  await stopBaseline();
  await drainTimeline();
  await conn.close();
  log('api.stopped', {});
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
