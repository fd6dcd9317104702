import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from './redact.ts';

describe('redactUrl', () => {
  it('replaces the values of credential parameters in the query and the fragment, nothing else', () => {
    expect(redactUrl('https://app.example/call?room=r1&token=abc.def&name=a%5B0%5D')).toBe('https://app.example/call?room=r1&token=<redacted>&name=a%5B0%5D');
    expect(redactUrl('http://127.0.0.1:3000/?room=r#token=v2.x.y&x=1')).toBe('http://127.0.0.1:3000/?room=r#token=<redacted>&x=1');
    expect(redactUrl('https://h/p?Access_Token=1&API-KEY=2&jwt=3&sig=4&keep=5')).toBe('https://h/p?Access_Token=<redacted>&API-KEY=<redacted>&jwt=<redacted>&sig=<redacted>&keep=5');
  });

  it("hides a URL's password but keeps its user name", () => {
    expect(redactUrl('https://alice:s3cret@turn.example:443/x')).toBe('https://alice:<redacted>@turn.example:443/x');
    expect(redactUrl('https://alice@h/')).toBe('https://alice@h/');
  });

  it('leaves a URL without credentials, or text that is no URL, as it was', () => {
    for (const s of ['https://h/?room=a&name=b', 'http://[::1]:3000/', 'not a url', 'https://h/?token', 'https://h/?=x']) expect(redactUrl(s)).toBe(s);
  });
});

describe('redactUrlsIn', () => {
  it('keeps {room} and {name} placeholders inside the URL it redacts', () => {
    expect(redactUrlsIn('--target-url https://app/{room}?name={name}&token=abc')).toBe('--target-url https://app/{room}?name={name}&token=<redacted>');
  });

  it("redacts every URL in an error message, as puppeteer and fetch word them", () => {
    const message = 'net::ERR_CONNECTION_REFUSED at https://app/?room=r&token=abc and ws://h/ws?token=def; "https://u:p@h/"';
    expect(redactUrlsIn(message)).toBe(
      'net::ERR_CONNECTION_REFUSED at https://app/?room=r&token=<redacted> and ws://h/ws?token=<redacted>; "https://u:<redacted>@h/"',
    );
  });
});
