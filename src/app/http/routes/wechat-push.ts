import { Elysia, t } from 'elysia';
import type { PushRejection } from '../../../domain/push';
import { type PushAnswer, receivePush } from '../../../domain/usecases/push';
import type { AppDeps } from '../context';
import { JSON_TYPE } from '../headers';
import { ErrorBody } from '../schemas';

export const PUSH_PATH = '/api/wechat/push';

const TEXT = 'text/plain; charset=utf-8';
const text = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'content-type': TEXT } });
const detail = (status: number, message: string) =>
  new Response(JSON.stringify({ detail: message }), { status, headers: { 'content-type': JSON_TYPE } });

const REJECTED: Readonly<Record<PushRejection, string>> = {
  missing_parameters: '缺少签名参数',
  bad_signature: '签名校验失败',
  not_encrypted: '仅接受安全模式（加密）推送',
  malformed_body: '推送内容格式错误',
  bad_ciphertext: '推送内容解密失败',
  wrong_appid: '推送的 AppID 与本小程序不符',
};

// WeChat adds parameters of its own (openid, …): the query is described, not restricted.
const PushQuery = t.Object(
  {
    signature: t.Optional(t.String({ maxLength: 64, description: 'sha1(sort(Token, timestamp, nonce))' })),
    timestamp: t.Optional(
      t.String({ maxLength: 16, description: 'Unix 秒；与服务器时间相差超过 5 分钟即拒绝' }),
    ),
    nonce: t.Optional(t.String({ maxLength: 64 })),
    echostr: t.Optional(t.String({ maxLength: 256, description: '仅 GET（URL 验证）：验签通过后原样返回' })),
    encrypt_type: t.Optional(t.String({ maxLength: 16, description: '安全模式为 `aes`' })),
    msg_signature: t.Optional(
      t.String({ maxLength: 64, description: 'sha1(sort(Token, timestamp, nonce, Encrypt))' }),
    ),
    openid: t.Optional(t.String({ maxLength: 128 })),
  },
  { additionalProperties: true },
);

const Success = t.String({ examples: ['success'], description: '`success`（text/plain）' });

/**
 * WeChat message push (消息推送), one URL for every event: GET answers the URL verification, POST
 * verifies, decrypts and hands the message to the handler registered for its kind. Nothing is handed
 * on unless the signature, the ciphertext, the appid and the timestamp check out, and a delivery is
 * handled once (usecases/push.ts).
 */
export const wechatPushRoutes = (deps: AppDeps) => {
  const receive = receivePush(deps);
  const reply = (answer: PushAnswer, plain: () => string) => {
    switch (answer.kind) {
      case 'handled':
      case 'ignored':
        return text('success');
      case 'replayed':
        return answer.firstSucceeded ? text('success') : detail(409, '重复推送：首次推送仍在处理');
      case 'stale':
        return detail(403, '推送时间戳超出允许范围');
      case 'failed':
        // Both retry triggers at once (which one WeChat honours is unconfirmed, brief §8 #16).
        return new Response(plain(), { status: 500, headers: { 'content-type': JSON_TYPE } });
    }
  };
  return new Elysia({ detail: { tags: ['微信消息推送'] } })
    .get(
      PUSH_PATH,
      ({ query }) => {
        const verifier = deps.wechatPush;
        if (!verifier) return detail(404, '未启用微信消息推送');
        const echostr = verifier.verifyUrl(query);
        if (echostr === null) {
          deps.log('wechat_push.url_rejected', {});
          return detail(403, '签名校验失败');
        }
        return text(echostr);
      },
      {
        query: PushQuery,
        detail: {
          hide: !deps.wechatPush,
          summary: '消息推送 URL 验证',
          description:
            '在小程序管理后台「开发管理 → 消息推送配置」提交时由微信调用：`signature` = sha1(字典序排序后拼接的 Token、timestamp、nonce)，正确则以 text/plain 原样返回 `echostr`，否则 403。',
        },
        response: { 200: t.String({ examples: ['4375120948345356249'] }), 403: ErrorBody, 404: ErrorBody },
      },
    )
    .post(
      PUSH_PATH,
      async ({ query, body }) => {
        const verifier = deps.wechatPush;
        if (!verifier) return detail(404, '未启用微信消息推送');
        const verified = verifier.verify(query, String(body));
        if (!verified.ok) {
          deps.log('wechat_push.rejected', { reason: verified.reason });
          return detail(403, REJECTED[verified.reason]);
        }
        const answer = await receive(verified.push);
        const now = String(Math.floor(deps.clock.now().getTime() / 1000));
        return reply(answer, () =>
          verifier.reply(verified.push, JSON.stringify({ ErrCode: 1, ErrMsg: 'retry later' }), now),
        );
      },
      {
        parse: 'text',
        query: PushQuery,
        detail: {
          hide: !deps.wechatPush,
          summary: '接收消息推送（JSON 数据格式）',
          description: [
            '微信推送的所有事件（小程序虚拟支付 `xpay_*`、发货信息管理、订阅消息…）都发到这里，按 `MsgType`/`Event` 分发。',
            '安全模式：校验 `msg_signature` = sha1(排序后的 Token、timestamp、nonce、Encrypt)，AES-256-CBC 解密（32 字节 PKCS#7），核对 AppID；配置了 EncodingAESKey 时不接受明文推送。',
            '时间戳与服务器相差超过 5 分钟 → 403；同一次推送（timestamp、nonce、签名相同）重复到达时不再处理：首次已成功则同样回 `success`，首次仍在处理则 409。',
            '处理成功或未订阅的事件 → `success`；处理失败 → HTTP 500 且回包 `{"ErrCode":1,"ErrMsg":…}`（安全模式下加密），微信会重推。',
          ].join('\n\n'),
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { ToUserName: { type: 'string' }, Encrypt: { type: 'string' } },
                },
                example: { ToUserName: 'gh_97417a04a28d', Encrypt: '+qdx1OKCy+5JPCBFWw70tm0f…' },
              },
            },
          },
        },
        response: {
          200: Success,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          500: t.Object(
            {
              ErrCode: t.Optional(t.Number()),
              ErrMsg: t.Optional(t.String()),
              Encrypt: t.Optional(t.String()),
            },
            { additionalProperties: true, examples: [{ ErrCode: 1, ErrMsg: 'retry later' }] },
          ),
        },
      },
    );
};
