// Small TCP helpers shared by the FerretDB launcher, the start script and the tests.
import net from 'node:net';

/** Asks the OS for an unused port by listening on port 0, then releases it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port right now. */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until the port accepts connections. `stillAlive` lets the caller stop early when the
 * process that should open the port has already died (its stderr is more useful than a timeout).
 */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  stillAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPortOpen(port)) return;
    if (!stillAlive()) throw new Error(`process exited before port ${port} opened`);
    await Bun.sleep(100);
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}
