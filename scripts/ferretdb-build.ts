// Builds FerretDB v1.24.2 once into the git-ignored tools folder (see scripts/ferretdb.ts).
import fs from 'node:fs';
import path from 'node:path';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';
const ROOT = path.resolve(import.meta.dir, '..');
/** Overridable so the cold build can be tested without deleting the binary others are using. */
export const TOOLS_DIR = path.resolve(process.env.FERRETDB_TOOLS_DIR ?? path.join(ROOT, '.tools'));

export function ferretBinary(toolsDir = TOOLS_DIR): string {
  return path.join(toolsDir, 'bin', 'ferretdb');
}

function run(cmd: string[], cwd: string, env: Record<string, string | undefined> = process.env): string {
  const result = Bun.spawnSync(cmd, { cwd, env, stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) {
    throw new Error(`\`${cmd.join(' ')}\` failed (exit ${result.exitCode}):\n${result.stderr.toString()}`);
  }
  return result.stdout.toString();
}

function hasWantedVersion(binary: string): boolean {
  if (!fs.existsSync(binary)) return false;
  const result = Bun.spawnSync([binary, '--version'], { stdout: 'pipe', stderr: 'pipe' });
  return result.exitCode === 0 && result.stdout.toString().includes(`version: ${FERRETDB_VERSION}`);
}

function requireGo(): string {
  const go = Bun.which('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  const fail = (why: string) =>
    new Error(`${why}: building FerretDB ${FERRETDB_VERSION} needs Go >= 1.24 (https://go.dev/dl/).`);
  if (!go) throw fail('`go` was not found on PATH');
  const version = run([go, 'env', 'GOVERSION'], ROOT).trim(); // e.g. go1.26.8
  const [major = 0, minor = 0] = (/go(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  if (major < 1 || (major === 1 && minor < 24)) throw fail(`found ${version}`);
  return go;
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else if (entry.isFile()) fs.chmodSync(full, 0o644 | (fs.statSync(full).mode & 0o111));
  }
}

/**
 * Builds FerretDB into <toolsDir>/bin once and returns the binary path. A plain
 * `go install …@v1.24.2` panics at start ("Invalid build/version/version.txt") because upstream
 * generates that file with its task runner, so we build from a copy of the module with it written.
 */
export function buildFerret(toolsDir = TOOLS_DIR): string {
  const binary = ferretBinary(toolsDir);
  if (hasWantedVersion(binary)) return binary;
  const go = requireGo();
  console.error(`Building FerretDB ${FERRETDB_VERSION} into ${toolsDir} (1-2 min the first time)…`);
  fs.mkdirSync(toolsDir, { recursive: true });
  // A GOFLAGS from the caller (e.g. -mod=vendor) would break the download outside any module.
  const env = { ...process.env, GOFLAGS: '' };
  const info = JSON.parse(
    run([go, 'mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], toolsDir, env),
  );
  if (!info.Dir) throw new Error(`go mod download gave no directory: ${info.Error ?? JSON.stringify(info)}`);
  const src = path.join(toolsDir, 'ferretdb-src');
  if (fs.existsSync(src)) {
    makeWritable(src); // the module cache is read-only, and so is an earlier copy of it
    fs.rmSync(src, { recursive: true, force: true });
  }
  fs.cpSync(info.Dir, src, { recursive: true });
  makeWritable(src);
  fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), FERRETDB_VERSION);
  run([go, 'install', './cmd/ferretdb'], src, { ...env, GOBIN: path.dirname(binary), GOFLAGS: '-mod=mod' });
  if (!hasWantedVersion(binary))
    throw new Error(`built ${binary} but it does not report ${FERRETDB_VERSION}`);
  return binary;
}
