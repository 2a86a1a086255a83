// bun run operator:password -- --username alice [--reset-totp]
// New password on stdin; ends every session of alice. --reset-totp also turns two-step verification
// off (an admin who lost their authenticator and is the only admin has no one else to ask).
import { resetOperatorTotp, setOperatorPassword } from '../src/domain/operators/manage';
import { normalizeUsername } from '../src/domain/operators/operator';
import { CLI_ACTING, main, parseArgs, readPassword, UsageError, withOperatorDeps } from './operator-cli';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['username'], ['reset-totp']);
  if (!args.username)
    throw new UsageError('usage: bun run operator:password -- --username NAME [--reset-totp]');
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
    if (args['reset-totp'] && reset.value.totpSecret !== null) {
      const totp = await resetOperatorTotp(deps)(CLI_ACTING, operator.id);
      if (!totp.ok) throw new Error(`two-step verification not reset: ${totp.error.kind}`);
      console.log(`two-step verification of ${username} turned off`);
    }
  });
});
