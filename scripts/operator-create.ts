// bun run operator:create -- --username alice --role admin   (password on stdin; see README)
import { createOperator } from '../src/domain/operators/manage';
import { isOperatorRole, OPERATOR_ROLES } from '../src/domain/operators/operator';
import { CLI_ACTING, main, parseArgs, readPassword, UsageError, withOperatorDeps } from './operator-cli';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['username', 'role']);
  if (!args.username)
    throw new UsageError('usage: bun run operator:create -- --username NAME --role viewer|operator|admin');
  if (!isOperatorRole(args.role)) throw new UsageError(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
  const role = args.role;
  const password = readPassword();
  const created = await withOperatorDeps((deps) =>
    createOperator(deps)(CLI_ACTING, { username: args.username as string, role, password }),
  );
  if (!created.ok)
    throw new Error(
      created.error.kind === 'invalid'
        ? created.error.detail
        : created.error.kind === 'username_taken'
          ? `operator ${args.username} already exists (reset the password with operator:password)`
          : `not created: ${created.error.kind}`,
    );
  console.log(`created operator ${created.value.username} (${created.value.role}), id ${created.value.id}`);
});
