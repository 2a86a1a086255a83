// The console screenshots in docs/console/*.png (1280×800): runs the business pages' Chromium test
// with CONSOLE_SCREENSHOTS set, so every picture comes from the same flow the test checks.
// Usage: bun scripts/screenshots.ts [output dir, default docs/console]
import path from 'node:path';

const root = path.resolve(import.meta.dir, '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'console'));
const run = Bun.spawnSync([process.execPath, 'scripts/test.ts', 'tests/console/pages-browser.test.ts'], {
  cwd: root,
  env: { ...process.env, CONSOLE_SCREENSHOTS: out },
  stdout: 'inherit',
  stderr: 'inherit',
});
if (run.exitCode !== 0) process.exit(run.exitCode ?? 1);
console.log(`screenshots written to ${out}`);
