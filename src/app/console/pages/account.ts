import { renderSVG } from 'uqr';
import { enrollOperatorTotp, setOperatorPassword } from '../../../domain/operators/manage';
import { ROLE_LABELS } from '../../../domain/operators/operator';
import { BASE32_ALPHABET, otpauthUri, TOTP_SECRET_LENGTH } from '../../../domain/operators/totp';
import type { AppDeps } from '../../http/context';
import { type ConsoleContext, consolePage } from '../auth';
import { FLASH_COOKIE, SESSION_COOKIE, setCookie } from '../cookies';
import { formFields } from '../form';
import { html, raw } from '../html';
import { csrfField, type Flash } from '../layout';
import { startSession } from '../session';

const ISSUER = '积分商城运营后台';
const SECRET_PATTERN = new RegExp(`^[${BASE32_ALPHABET}]{${TOTP_SECRET_LENGTH}}$`);

/** 我的账户: change one's own password; enroll a TOTP authenticator (confirmed with one code). */
export const accountPage = (deps: AppDeps) => {
  const secure = deps.console.secureCookie;

  const view = (ctx: ConsoleContext, flash?: Flash, status = 200) => {
    const { operator, csrf } = ctx;
    // A fresh secret per visit; it is enabled only when a code from it comes back with it.
    const secret = deps.random.string(TOTP_SECRET_LENGTH, BASE32_ALPHABET);
    const uri = otpauthUri(ISSUER, operator.username, secret);
    return ctx.render(
      {
        title: '我的账户',
        active: 'account',
        flash: flash ?? null,
        body: html`<p>${operator.username}（${ROLE_LABELS[operator.role]}）</p>
<section><h2>修改密码</h2>
<form method="post" action="/admin/account/password" class="stack narrow-form">${csrfField(csrf)}
  <label>当前密码 <input name="current" type="password" required maxlength="200" autocomplete="current-password"></label>
  <label>新密码（至少 10 位） <input name="password" type="password" required minlength="10" maxlength="200" autocomplete="new-password"></label>
  <label>再次输入新密码 <input name="confirm" type="password" required minlength="10" maxlength="200" autocomplete="new-password"></label>
  <button type="submit">修改密码</button>
  <p class="muted">修改后，您在其他浏览器中的登录会全部失效。</p>
</form></section>
<section><h2>两步验证（TOTP）</h2>
${
  operator.totpSecret
    ? html`<p data-testid="totp-status">已启用。登录时需填写验证器应用中的 6 位动态验证码。如更换手机，请联系管理员重置。</p>`
    : html`<p data-testid="totp-status">未启用。用验证器应用（如 Google Authenticator、Microsoft Authenticator、FreeOTP）扫描下方二维码，或手动添加以下密钥，然后输入应用显示的 6 位验证码确认启用。</p>
<figure class="qr" data-testid="totp-qr" aria-label="两步验证二维码">${
        // Drawn here as SVG (uqr, no dependencies): no image request, nothing for the CSP to allow,
        // and the secret never leaves the page. The otpauth URI is ours (base32 secret, escaped names).
        raw(renderSVG(uri, { border: 4 }))
      }</figure>
<p>密钥：<code class="secret" data-testid="totp-secret">${secret}</code></p>
<p>链接：<code data-testid="totp-uri">${uri}</code></p>
<form method="post" action="/admin/account/totp" class="row">${csrfField(csrf)}<input type="hidden" name="secret" value="${secret}">
  <label>验证码 <input name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code"></label>
  <button type="submit">确认启用</button>
</form>`
}
</section>`,
      },
      status,
    );
  };

  return consolePage(deps)
    .get('/account', (ctx) => view(ctx), { detail: { hide: true } })
    .post(
      '/account/password',
      async (ctx) => {
        const f = formFields(ctx.body);
        const error = (text: string, status = 400) => view(ctx, { kind: 'error', text }, status);
        if (!(await deps.passwordHasher.verify(f.current ?? '', ctx.operator.passwordHash)))
          return error('当前密码不正确');
        if ((f.password ?? '') !== (f.confirm ?? '')) return error('两次输入的新密码不一致');
        const changed = await setOperatorPassword(deps)(ctx.acting, ctx.operator.id, f.password ?? '');
        if (!changed.ok)
          return changed.error.kind === 'invalid'
            ? error(changed.error.detail)
            : error('修改失败，请刷新后重试', 409);
        // Every session of the operator ended with the change, this one too: a new one continues here.
        const { token } = await startSession(deps, changed.value);
        const flash = encodeURIComponent(
          JSON.stringify({ kind: 'ok', text: '密码已修改，其他会话已全部失效' }),
        );
        return new Response(null, {
          status: 303,
          headers: [
            ['location', '/admin/account'],
            ['cache-control', 'no-store'],
            [...setCookie(SESSION_COOKIE, token, { secure, maxAge: deps.console.sessionHours * 3600 })],
            [...setCookie(FLASH_COOKIE, flash, { secure, maxAge: 60 })],
          ],
        });
      },
      { detail: { hide: true } },
    )
    .post(
      '/account/totp',
      async (ctx) => {
        const f = formFields(ctx.body);
        const secret = f.secret ?? '';
        if (!SECRET_PATTERN.test(secret))
          return view(ctx, { kind: 'error', text: '密钥格式不正确，请刷新页面重试' }, 400);
        const enrolled = await enrollOperatorTotp(deps)(ctx.acting, ctx.operator, secret, f.code ?? '');
        if (!enrolled.ok)
          return view(
            ctx,
            {
              kind: 'error',
              text: enrolled.error.kind === 'invalid' ? enrolled.error.detail : '启用失败，请重试',
            },
            400,
          );
        return ctx.done('/admin/account', '两步验证已启用');
      },
      { detail: { hide: true } },
    );
};
