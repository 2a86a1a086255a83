// wrk, the external load generator (Debian package `wrk`): its own process, outside the runtime of
// the server under test, so what we measure is the server, not a generator sharing its event loop.
import fs from 'node:fs';
import path from 'node:path';

export interface WrkResult {
  readonly label: string;
  readonly connections: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

export function ensureWrk(): string {
  const found = Bun.which('wrk');
  if (found) return found;
  if (!Bun.which('apt-get'))
    throw new Error(
      'wrk is missing: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)',
    );
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const cmd of [
    [...asRoot, 'apt-get', 'update'],
    [...asRoot, 'apt-get', 'install', '-y', 'wrk'],
  ]) {
    const r = Bun.spawnSync(cmd, {
      stdout: 'inherit',
      stderr: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.exitCode !== 0) throw new Error(`\`${cmd.join(' ')}\` failed`);
  }
  return Bun.which('wrk') ?? '/usr/bin/wrk';
}

const ms = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? Number.NaN);

/** Parses `wrk --latency` output. */
export function parseWrk(label: string, connections: number, out: string): WrkResult {
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? ms(m[1] as string, m[2] as string) : Number.NaN;
  };
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    label,
    connections,
    perSecond: num(/Requests\/sec:\s+([\d.]+)/),
    p50: pct('50'),
    p99: pct('99'),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/**
 * One wrk run: `-t1` (one generator thread, leaving the other core to the server), `connections`
 * open connections, `seconds` long. `lua` sets method, body and headers (see wrk's SCRIPTING).
 */
export async function wrk(
  label: string,
  url: string,
  opts: { connections: number; seconds: number; lua?: string; tmp: string },
): Promise<WrkResult> {
  const args = [ensureWrk(), '-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency'];
  if (opts.lua) {
    const script = path.join(opts.tmp, `${label.replace(/\W+/g, '_')}.lua`);
    fs.writeFileSync(script, opts.lua);
    args.push('-s', script);
  }
  const proc = Bun.spawn([...args, url], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()];
  if ((await proc.exited) !== 0) throw new Error(`wrk ${label} failed: ${err}`);
  return parseWrk(label, opts.connections, out);
}

/** A wrk script that POSTs `body` as JSON, each request with the next of `tokens` as bearer. */
export function postJsonLua(body: string, tokens: readonly string[]): string {
  return `wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "application/json"
local tokens = { ${tokens.map((t) => JSON.stringify(t)).join(', ')} }
local n = 0
request = function()
  n = n + 1
  -- a headers table replaces wrk.headers, so it carries the content type too
  return wrk.format(nil, nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1],
  })
end
`;
}
