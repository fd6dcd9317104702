import { describe, expect, it } from 'vitest';
import { addressWithoutToken, PARAM_DEFAULTS, parseParams } from './params.ts';

const at = (search: string, protocol = 'http:', host = '127.0.0.1:4443') => parseParams({ search, protocol, host });

describe('parseParams', () => {
  it('gives the documented defaults and a same-origin ws URL', () => {
    const p = at('');
    expect(p).toMatchObject({ ...PARAM_DEFAULTS, room: undefined, name: undefined, token: undefined });
    expect(p.wsUrl).toBe('ws://127.0.0.1:4443/ws');
    expect(at('', 'https:', 'example.test').wsUrl).toBe('wss://example.test/ws');
  });

  it('reads every parameter', () => {
    const p = at(
      '?room=r1&name=Ann&peer=p7&token=t.k&autojoin=1&audio=0&video=true&simulcast=yes&width=1280&height=720&fps=15&screen=1&preview=1&render=0&icerestart=1&ws=ws://10.0.0.1:9/ws&handler=Chrome111',
    );
    expect(p).toEqual({
      room: 'r1',
      name: 'Ann',
      peerId: 'p7',
      token: 't.k',
      autojoin: true,
      audio: false,
      video: true,
      simulcast: true,
      width: 1280,
      height: 720,
      fps: 15,
      screen: true,
      preview: true,
      render: false,
      iceRestart: true,
      wsUrl: 'ws://10.0.0.1:9/ws',
      handlerName: 'Chrome111',
    });
  });

  it('takes the token from the fragment first (never sent to a server), else from the query', () => {
    expect(parseParams({ search: '?room=r', hash: '#token=v2.a.b', protocol: 'http:', host: 'h' }).token).toBe('v2.a.b');
    expect(parseParams({ search: '?room=r&token=q', hash: '#token=f', protocol: 'http:', host: 'h' }).token).toBe('f');
    expect(parseParams({ search: '?room=r&token=q', hash: '', protocol: 'http:', host: 'h' }).token).toBe('q');
  });

  it("gives the page's address without its token, to put in place of the one it was opened with", () => {
    expect(addressWithoutToken('http://h:3000/?room=r&token=secret&name=a#token=x&y=1')).toBe('http://h:3000/?room=r&name=a#y=1');
    expect(addressWithoutToken('http://h/#token=x')).toBe('http://h/');
    expect(addressWithoutToken('http://h/?room=r')).toBeNull();
  });

  it('names the parameter when a value is malformed', () => {
    expect(() => at('?audio=maybe')).toThrow('URL parameter audio=maybe must be 1 or 0');
    expect(() => at('?width=0')).toThrow(/width=0 must be a whole number/);
    expect(() => at('?fps=2.5')).toThrow(/fps=2.5/);
    expect(() => at('?ws=http://x/ws')).toThrow(/ws=http:\/\/x\/ws must start with ws:\/\//);
    expect(() => at('?autojoin=1')).toThrow('autojoin=1 needs room=ROOM');
  });
});
