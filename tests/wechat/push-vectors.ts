// The official message-push examples (brief §6.2, PUSH page), recomputed in brief §7.
export const TOKEN = 'AAAAA';
export const AES_KEY = 'A'.repeat(43);
export const APPID = 'wxba5fad812f8e6fb9';

export const GET_VERIFY = {
  timestamp: '1714036504',
  nonce: '1514711492',
  echostr: '4375120948345356249',
  signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
};

export const PLAIN_POST = {
  timestamp: '1714037059',
  nonce: '486452656',
  signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
  body: {
    ToUserName: 'gh_97417a04a28d',
    FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
    CreateTime: 1714037059,
    MsgType: 'event',
    Event: 'debug_demo',
    debug_str: 'hello world',
  },
};

export const SAFE_POST = {
  timestamp: '1714112445',
  nonce: '415670741',
  openid: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
  msgSignature: '046e02f8204d34f8ba5fa3b1db94908f3df2e9b3',
  signature: '6c5c811b55cc85e0e1b54100749188c20beb3f5d',
  encrypt:
    '+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=',
  random: 'a8eedb185eb2fecf',
  message:
    '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
};

export const ENCRYPTED_REPLY = {
  random: '707722b803182950',
  message: '{"demo_resp":"good luck"}',
  timestamp: '1713424427',
  nonce: '415670741',
  encrypt: 'ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==',
  msgSignature: '1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1',
};
