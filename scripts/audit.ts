// `bun run audit`: the integrity audit over the database at MONGODB_URI. Prints the report as JSON
// and exits 0 when every invariant holds, 1 on any violation, 2 when the audit could not run.
import { connectMongo, mongoRepositories } from '../src/adapters/mongo';
import { auditStore } from '../src/domain/usecases/audit';

const uri = process.env.MONGODB_URI?.trim() || 'mongodb://127.0.0.1:27017/credits_store';
const maxFindings = Number(process.env.AUDIT_MAX_FINDINGS ?? 200);

try {
  const conn = await connectMongo(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    const report = await auditStore(mongoRepositories(conn))({ maxFindings });
    console.log(JSON.stringify(report, null, 2));
    const { users, entries, orders, reviews } = report.scanned;
    const summary = report.ok
      ? 'no violations'
      : Object.entries(report.violations)
          .map(([check, n]) => `${check}: ${n}`)
          .join(', ');
    console.error(
      `audit: ${users} users, ${entries} ledger entries, ${orders} orders, ${reviews} reviews — ${summary}`,
    );
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await conn.close();
  }
} catch (e) {
  console.error(`audit could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}
