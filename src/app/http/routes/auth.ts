import { Elysia } from 'elysia';
import { login } from '../../../domain/usecases/auth';
import { creditBalance } from '../../../domain/usecases/credits';
import { authPlugin } from '../auth';
import type { AppDeps } from '../context';
import { problem } from '../plugins';
import { ErrorBody, LoginRequest, LoginResponse, UserBody } from '../schemas';

export const authRoutes = (deps: AppDeps) =>
  new Elysia({ detail: { tags: ['用户'] } })
    .use(authPlugin(deps))
    .post(
      '/api/auth/login',
      async ({ body, issueToken }) => {
        const result = await login(deps)(body.code);
        if (!result.ok) return problem(result.error);
        const user = result.value;
        return {
          access_token: await issueToken(user),
          token_type: 'bearer' as const,
          expires_in: deps.jwt.expiresIn,
          user: deps.present.user(user, await creditBalance(deps)(user.id)),
        };
      },
      {
        body: LoginRequest,
        detail: {
          summary: '小程序登录',
          description: '用 wx.login() 的 code 换取 openid，首次登录自动注册，返回 Bearer 令牌。',
        },
        response: { 200: LoginResponse, 400: ErrorBody, 403: ErrorBody, 429: ErrorBody, 502: ErrorBody },
      },
    )
    .get('/api/users/me', async ({ user }) => deps.present.user(user, await creditBalance(deps)(user.id)), {
      auth: true,
      detail: { summary: '当前用户信息与积分余额' },
      response: { 200: UserBody, 401: ErrorBody, 403: ErrorBody },
    });
