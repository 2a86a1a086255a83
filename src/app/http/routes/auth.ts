import { Elysia } from 'elysia';
import { login } from '../../../domain/usecases/auth';
import { creditBalance } from '../../../domain/usecases/credits';
import { endAllSessions, endSession } from '../../../domain/usecases/sessions';
import { authPlugin } from '../auth';
import type { AppDeps } from '../context';
import { type Limiter, rateLimits } from '../limits';
import { problem } from '../plugins';
import {
  ErrorBody,
  LoginRequest,
  LoginResponse,
  MessageBody,
  RefreshRequest,
  RefreshResponse,
  UserBody,
} from '../schemas';

export const authRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ detail: { tags: ['用户'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .post(
      '/api/auth/login',
      async ({ body, issueTokens, request, server }) => {
        const result = await login(deps)(body.code);
        if (!result.ok) {
          // Guessing codes (or replaying one) counts against the address: after a few, it waits.
          if (result.error.kind === 'login_code_invalid')
            await limits.noteLoginFailure(limits.addresses.of(request, server));
          return problem(result.error);
        }
        const user = result.value;
        return {
          ...(await issueTokens(user, body.refresh === true)),
          user: deps.present.user(user, await creditBalance(deps)(user.id)),
        };
      },
      {
        body: LoginRequest,
        limit: 'login',
        detail: {
          summary: '小程序登录',
          description:
            '用 wx.login() 的 code 换取 openid，首次登录自动注册，返回 Bearer 令牌（默认 7 天，与原接口相同）。' +
            '每个 code 只向微信换取一次：重复使用得到第一次的结果（无效或已使用）。' +
            '传 `refresh: true` 则返回短时令牌（expires_in 秒）与 refresh_token，用 /api/auth/refresh 续期。',
        },
        response: { 200: LoginResponse, 400: ErrorBody, 403: ErrorBody, 429: ErrorBody, 502: ErrorBody },
      },
    )
    .post(
      '/api/auth/refresh',
      async ({ body, refreshTokens }) => {
        const refreshed = await refreshTokens(body.refresh_token);
        return refreshed.ok ? refreshed.value : problem(refreshed.error);
      },
      {
        body: RefreshRequest,
        limit: 'session',
        detail: {
          summary: '刷新令牌',
          description:
            '用 refresh_token 换取新的短时令牌和新的 refresh_token；每个 refresh_token 只能用一次，' +
            '重复使用视为被盗用：该会话立即失效，需要重新登录。',
        },
        response: { 200: RefreshResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    )
    .post(
      '/api/auth/logout',
      async ({ session }) => {
        const ended = await endSession(deps)(session);
        return ended.ok ? { message: '已退出登录' } : problem(ended.error);
      },
      {
        auth: true,
        limit: 'session',
        detail: {
          summary: '退出登录',
          description: '当前会话的令牌（含 refresh_token）立即失效；其他设备上的会话不受影响。',
        },
        response: { 200: MessageBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    )
    .post(
      '/api/auth/logout-all',
      async ({ user }) => {
        const ended = await endAllSessions(deps)(user.id);
        return ended.ok ? { message: '已在所有设备退出登录' } : problem(ended.error);
      },
      {
        auth: true,
        limit: 'session',
        detail: { summary: '在所有设备退出登录', description: '该用户已签发的全部令牌立即失效。' },
        response: { 200: MessageBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    )
    .get('/api/users/me', async ({ user }) => deps.present.user(user, await creditBalance(deps)(user.id)), {
      auth: true,
      detail: { summary: '当前用户信息与积分余额' },
      response: { 200: UserBody, 401: ErrorBody, 403: ErrorBody },
    });
