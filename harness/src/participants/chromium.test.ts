import { describe, expect, it } from 'vitest';
import { chromiumArgs } from './chromium.ts';

describe('Chromium flags for a run with its own TURN certificate', () => {
  it('name its key alone, never every certificate', () => {
    const args = chromiumArgs({ trustedSpkiSha256: ['abc=', 'def='] }, '/tmp/profile');
    expect(args).toContain('--ignore-certificate-errors-spki-list=abc=,def=');
    expect(args).not.toContain('--ignore-certificate-errors');
    expect(chromiumArgs({}, '/tmp/profile').some((a) => a.startsWith('--ignore-certificate-errors'))).toBe(false);
  });
});
