import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { CONSOLE_CSP, escapeHtml, html, htmlResponse, raw } from '../../src/app/console/html';

describe('html``', () => {
  it('escapes every interpolation unless it is already SafeHtml', () => {
    const name = '<script>alert("x")</script>&\'`';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</p>',
    );
    expect(html`<div>${html`<b>${'<i>'}</b>`}${raw('<hr>')}</div>`.value).toBe(
      '<div><b>&lt;i&gt;</b><hr></div>',
    );
  });

  it('joins arrays and renders null, undefined and false as nothing', () => {
    expect(
      html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${null}${undefined}${false}${0}`.value,
    ).toBe('<ul><li>a&lt;</li><li>b</li></ul>0');
  });

  it('never lets a string through with markup characters', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(html`${s}`.value).not.toMatch(/[<>"'`]/);
        expect(escapeHtml(s).replace(/&(amp|lt|gt|quot|#39|#96);/g, '')).not.toContain('&');
      }),
    );
  });

  it('answers with the console headers', async () => {
    const r = htmlResponse(html`<p>hi</p>`, 201, [
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(r.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await r.text()).toBe('<!doctype html>\n<p>hi</p>');
  });
});
