// What the interleaved-round benches share: CPU ticks of a process from /proc, a fair shuffle of
// the targets for each round, and the median of the rounds.
import fs from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [11] and [12] user and system ticks, [19] the start time. */
export function statFields(pid: number | string): string[] {
  return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
}

/** User + system time of `pid` so far, in µs (USER_HZ is 100 on Linux). */
export function cpuUs(pid: number | string): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** `pid` and every process below it: PostgreSQL does its work in one backend per connection. */
export function treeCpuUs(pid: number): number {
  let total = cpuUs(pid);
  const children = `/proc/${pid}/task/${pid}/children`;
  if (!fs.existsSync(children)) return total;
  for (const child of fs.readFileSync(children, 'utf8').split(' ').filter(Boolean)) {
    try {
      total += treeCpuUs(Number(child));
    } catch {
      // exited between the listing and the read
    }
  }
  return total;
}

/** Fisher–Yates: every order equally likely. */
export function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
