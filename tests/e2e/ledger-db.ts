import mongoose from 'mongoose';

/** Reads the stored ledger and settlements directly, independent of the API under test. */
export async function readStore(mongoUri: string, userId: number) {
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  try {
    const db = conn.db!;
    const entries = await db.collection('ledger').find({ user_id: userId }).sort({ seq: 1 }).toArray();
    const settlements = await db.collection('settlements').find({}).toArray();
    return {
      seqs: entries.map((e) => e.seq as number),
      amounts: entries.map((e) => e.amount as number),
      balance: (entries.at(-1)?.balance_after as number | undefined) ?? 0,
      keys: entries.map((e) => e.idempotency_key as string),
      settlements,
    };
  } finally {
    await conn.close();
  }
}

/** The order's refund attempts as stored (attempt number and refund number), oldest first. */
export async function readRefundAttempts(mongoUri: string, orderId: number) {
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  try {
    const docs = await conn.db!.collection('refund_attempts').find({ order_id: orderId }).toArray();
    return docs
      .map((d) => ({ attempt: d.attempt as number, outRefundNo: d.out_refund_no as string }))
      .sort((a, b) => a.attempt - b.attempt);
  } finally {
    await conn.close();
  }
}
