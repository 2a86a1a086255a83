/** One JSON object per line on stdout: easy to grep locally and to ship anywhere in production. */
export const jsonLogger =
  (write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) =>
  (event: string, fields: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
