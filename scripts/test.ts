// `npm test`: prepares what the suites need (FerretDB binary, Chromium) and then runs `bun test`
// with any extra arguments, e.g. `npm test -- tests/domain`.
import fs from 'node:fs';
import os from 'node:os';
import { startTestServers } from './test-servers';

const servers = await startTestServers();
Object.assign(process.env, servers.env);

// Test files run in worker processes, one per core and at least two: most of the suite's time is
// real processes starting and waiting (FerretDB, the API, timers), which another file's work can
// fill. The workers share the database started above and, as one bun test process did before,
// each keeps one module registry across its files (--no-isolate). --no-orphans: a worker that ends
// (Ctrl-C, SIGTERM) takes the API and sandbox processes its e2e suites started with it.
// tests/timings.json (per-file durations) lets the workers start with the slowest files;
// TEST_UPDATE_TIMINGS=1 rewrites it from this run.
const timings = 'tests/timings.json';
const parallel = [
  `--parallel=${Math.max(2, os.availableParallelism())}`,
  '--no-isolate',
  '--no-orphans',
  ...(fs.existsSync(timings) ? [`--timings=${timings}`] : []),
  ...(process.env.TEST_UPDATE_TIMINGS === '1' ? ['--update-timings'] : []),
];
// process.execPath is the bun running this script, so tests use the same pinned version.
// bun 1.4 ignores `timeout` in bunfig.toml; the suites that start processes need more than 5 s.
const tests = Bun.spawn(
  [process.execPath, 'test', '--timeout', '60000', ...parallel, ...process.argv.slice(2)],
  // Bun.spawn without `env` passes the environment bun started with, not the variables set above.
  { stdio: ['inherit', 'inherit', 'inherit'], env: process.env },
);
// Forward Ctrl-C/SIGTERM so test processes and their cleanups run instead of being orphaned.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tests.kill(signal));
const code = await tests.exited;
servers.discard();
process.exit(code);
