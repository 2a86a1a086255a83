import { afterAll, describe, expect, it } from 'bun:test';
import type { Connection } from 'mongoose';
import { connectMongo, mongoRepositories } from '../../src/adapters/mongo';
import { runAudit } from '../e2e/audit';
import { anOrder } from '../support/builders';
import { testMongoUri, uniqueDbName } from '../support/ferret';

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
    const run = await runAudit(uri);
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
