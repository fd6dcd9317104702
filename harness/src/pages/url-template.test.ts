import { describe, expect, it } from 'vitest';
import { fillUrlTemplate } from './url-template.ts';

describe('fillUrlTemplate', () => {
  it('fills every {room} and {name}, URL-encoded, and leaves the rest alone', () => {
    expect(fillUrlTemplate('https://x.example/{room}/whip?name={name}&again={room}', { room: 'a b/c', name: 'viewers[0]' })).toBe(
      'https://x.example/a%20b%2Fc/whip?name=viewers%5B0%5D&again=a%20b%2Fc',
    );
    expect(fillUrlTemplate('https://x.example/fixed', { room: 'r', name: 'n' })).toBe('https://x.example/fixed');
  });
});
