import { afterAll, describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongo, mongoRepositories } from '../../src/adapters/mongo';
import { anOrder } from '../support/builders';
import { testMongoUri, uniqueDbName } from '../support/ferret';

const ROOT = join(import.meta.dir, '../..');

/** `bun run audit` as operators run it: a child process over MONGODB_URI. */
async function audit(uri: string) {
  const proc = Bun.spawn([process.execPath, 'scripts/audit.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MONGODB_URI: uri },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code, out, err };
}

describe('bun run audit', () => {
  let conn: Connection | undefined;
  afterAll(() => conn?.close());

  it('prints the report, exits 1 on violations, stores the run (trigger cli) and records the alert', async () => {
    const uri = await testMongoUri(uniqueDbName('audit_cli'));
    conn = await connectMongo(uri);
    const repos = mongoRepositories(conn);
    // A settlement without its grant: settlement_purchase and order_status break.
    const order = await repos.orders.create(anOrder({ userId: 1 }));
    await repos.settlements.record({
      orderId: order.id,
      paymentId: '4200cli',
      amountFen: order.amountFen,
      settledAt: new Date(),
      source: 'callback',
    });
    const run = await audit(uri);
    expect(run.code).toBe(1);
    const printed = JSON.parse(run.out);
    expect(printed.ok).toBe(false);
    expect(printed.violations).toMatchObject({ settlement_purchase: 1 });
    const stored = await repos.auditReports.latest();
    expect(stored).toMatchObject({ trigger: 'cli', report: printed });
    expect(run.err).toContain(`audit ${stored?.id}:`);
    const [alert] = await repos.alertOutbox.list({}, { skip: 0, limit: 10 });
    expect(alert).toMatchObject({ kind: 'audit_violation', facts: printed.violations });
  });
});
