// Finds (or installs through apt) the Chromium that the browser tests drive with playwright-core,
// which ships no browser of its own. CLI: bun scripts/chromium.ts  → prints the executable path.
import fs from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
/** Debian's fonts-noto-cjk: the Chinese glyphs of the console's pages and screenshots. */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

function sh(cmd: string[]): void {
  const result = Bun.spawnSync(cmd, {
    stdout: 'inherit',
    stderr: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.exitCode !== 0) throw new Error(`\`${cmd.join(' ')}\` failed (exit ${result.exitCode})`);
}

/**
 * The Chromium executable: $CHROMIUM_PATH, else /usr/bin/chromium; it and Debian's fonts-noto-cjk are
 * installed with apt when missing.
 */
export async function ensureChromium(): Promise<string> {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted) {
    if (!fs.existsSync(wanted)) throw new Error(`CHROMIUM_PATH=${wanted} does not exist`);
    return wanted;
  }
  const missing = [
    ...(fs.existsSync(CHROMIUM) ? [] : ['chromium']),
    // The console's pages are Chinese: without a CJK font Chromium draws boxes in its screenshots.
    ...(fs.existsSync(CJK_FONT) ? [] : ['fonts-noto-cjk']),
  ];
  if (missing.length === 0) return CHROMIUM;
  if (!Bun.which('apt-get')) {
    if (fs.existsSync(CHROMIUM)) return CHROMIUM; // fonts are nice to have, Chromium is not
    throw new Error(
      `${CHROMIUM} is missing and apt-get is not available: install Chromium or set CHROMIUM_PATH`,
    );
  }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !Bun.which('sudo')) {
    if (fs.existsSync(CHROMIUM)) return CHROMIUM;
    throw new Error(`${CHROMIUM} is missing; installing it needs root or sudo`);
  }
  const asRoot = isRoot ? [] : ['sudo'];
  console.error(`Installing ${missing.join(' and ')} with apt-get (needed by the browser tests)…`);
  sh([...asRoot, 'apt-get', 'update']);
  sh([...asRoot, 'apt-get', 'install', '-y', ...missing]);
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}

if (import.meta.main) {
  ensureChromium().then(
    (executable) => console.log(executable),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
