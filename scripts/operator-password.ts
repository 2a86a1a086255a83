// bun run operator:password -- --username alice   (new password on stdin; ends every session of alice)
import { setOperatorPassword } from '../src/domain/operators/manage';
import { normalizeUsername } from '../src/domain/operators/operator';
import { CLI_ACTING, main, parseArgs, readPassword, UsageError, withOperatorDeps } from './operator-cli';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['username']);
  if (!args.username) throw new UsageError('usage: bun run operator:password -- --username NAME');
  const username = normalizeUsername(args.username);
  const password = readPassword();
  await withOperatorDeps(async (deps) => {
    const operator = await deps.operators.findByUsername(username);
    if (!operator) throw new Error(`no operator named ${username}`);
    const reset = await setOperatorPassword(deps)(CLI_ACTING, operator.id, password);
    if (!reset.ok)
      throw new Error(
        reset.error.kind === 'invalid' ? reset.error.detail : `not changed: ${reset.error.kind}`,
      );
    console.log(`password of ${username} changed; every session of ${username} has ended`);
  });
});
