// The knobs and constants shared by the bench modules, in one place so the report can describe
// exactly the settings the phases ran with.
import path from 'node:path';
import { envNumber } from './load';

export const ROOT = path.resolve(import.meta.dir, '..');
export const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
export const CALLBACK_SECRET = 'bench-gateway-callback-secret';
export const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 32));
export const SECONDS = envNumber('BENCH_SECONDS', 5);
export const FLOWS = Math.round(envNumber('BENCH_FLOWS', 8));
export const WARMUP_SECONDS = 1;
export const USERS = 8; // logged-in users sharing the create-order load
export const DB_SAMPLES = 20; // requests per type in the command count
