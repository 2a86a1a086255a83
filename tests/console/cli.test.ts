import { afterAll, describe, expect, it } from 'bun:test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongo, mongoRepositories } from '../../src/adapters/mongo';
import { argon2Hasher } from '../../src/adapters/system/password';
import { testMongoUri, uniqueDbName } from '../support/ferret';

const ROOT = join(import.meta.dir, '../..');

/** `npm run operator:… -- …` as README says, for real: a child process, the password piped into its stdin. */
async function run(
  script: 'operator:create' | 'operator:password',
  args: string[],
  stdin: string,
  uri: string,
) {
  const proc = Bun.spawn(['npm', 'run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: uri },
    stdin: new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code, out, err };
}

describe('operator CLI', () => {
  const connections: Connection[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });

  it('creates an operator from a piped password, refuses bad input, and resets the password', async () => {
    const uri = await testMongoUri(uniqueDbName('operator_cli'));
    const conn = await connectMongo(uri);
    connections.push(conn);
    const repos = mongoRepositories(conn);
    const hasher = argon2Hasher();

    const created = await run(
      'operator:create',
      ['--username', 'alice', '--role', 'admin'],
      'first password 1\n',
      uri,
    );
    expect(created).toMatchObject({
      code: 0,
      out: expect.stringContaining('created operator alice (admin)'),
    });
    const alice = await repos.operators.findByUsername('alice');
    expect(alice?.role).toBe('admin');
    expect(alice?.passwordHash).toStartWith('$argon2id$');
    expect(await hasher.verify('first password 1', alice?.passwordHash ?? '')).toBe(true);

    const again = await run(
      'operator:create',
      ['--username', 'alice', '--role', 'viewer'],
      'another password\n',
      uri,
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    const short = await run('operator:create', ['--username', 'bob', '--role', 'viewer'], 'short\n', uri);
    expect(short.code).toBe(1);
    expect(short.err).toContain('至少 10');
    expect(await repos.operators.findByUsername('bob')).toBeNull();
    expect(
      (await run('operator:create', ['--username', 'bob', '--role', 'root'], 'long enough password\n', uri))
        .code,
    ).toBe(2);

    const reset = await run('operator:password', ['--username', 'alice'], 'second password 2\r\n', uri);
    expect(reset).toMatchObject({ code: 0, out: expect.stringContaining('password of alice changed') });
    const after = await repos.operators.findByUsername('alice');
    expect(await hasher.verify('second password 2', after?.passwordHash ?? '')).toBe(true);
    expect(after?.sessionGeneration).toBe((alice?.sessionGeneration ?? 0) + 1);
    expect(
      (await run('operator:password', ['--username', 'nobody'], 'long enough password\n', uri)).code,
    ).toBe(1);

    await repos.operators.update(
      alice?.id ?? 0,
      { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
      new Date(),
    );
    const totp = await run(
      'operator:password',
      ['--username', 'alice', '--reset-totp'],
      'third password 3\n',
      uri,
    );
    expect(totp).toMatchObject({
      code: 0,
      out: expect.stringContaining('two-step verification of alice turned off'),
    });
    expect((await repos.operators.findByUsername('alice'))?.totpSecret).toBeNull();

    const audited = await repos.operatorAudit.byTarget(
      { kind: 'operator', id: String(alice?.id) },
      { skip: 0, limit: 10 },
    );
    expect(audited.entries.map((e) => e.action).sort()).toEqual([
      'operator.created',
      'operator.password_reset',
      'operator.password_reset',
      'operator.totp_reset',
    ]);
    expect(audited.entries[0]?.actor.username).toStartWith('cli:');
  });

  it('audits the local database npm start runs when MONGODB_URI is unset, and says where it looked', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'audit-nodb-'));
    const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, FERRETDB_PORT: '1' };
    delete env.MONGODB_URI;
    const proc = Bun.spawn(['npm', 'run', '--silent', 'audit'], {
      cwd: ROOT,
      env,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(2);
    // Not some other database on 27017: the one of this DATA_DIR, which is not running.
    expect(err).toContain(`none running in DATA_DIR=${dataDir} (FerretDB port 1)`);
  });
});
