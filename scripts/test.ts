// `npm test`: prepares what the suites need (FerretDB binary, Chromium) and then runs `bun test`
// with any extra arguments, e.g. `npm test -- tests/domain`.
import { ensureChromium } from './chromium';
import { buildFerret } from './ferretdb';
import { ensurePostgres } from './postgres';

// With TEST_MONGODB_URI the tests use that server and start no database (tests/support/ferret.ts).
// Otherwise build FerretDB and install PostgreSQL now, before any test timeout starts ticking.
if (!process.env.TEST_MONGODB_URI) {
  buildFerret();
  ensurePostgres();
}
// playwright-core brings no browser; the browser tests read this variable.
process.env.CHROMIUM_PATH = await ensureChromium();

// process.execPath is the bun running this script, so tests use the same pinned version.
// bun 1.4 ignores `timeout` in bunfig.toml; the suites that start processes need more than 5 s.
const tests = Bun.spawn([process.execPath, 'test', '--timeout', '60000', ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit'],
});
// Forward Ctrl-C/SIGTERM so test processes and their FerretDB cleanups run instead of being orphaned.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tests.kill(signal));
process.exit(await tests.exited);
