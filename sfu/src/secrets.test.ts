import { describe, expect, it } from 'vitest';
import { readSecret, secretOnCommandLine } from './secrets.ts';

const files: Record<string, string> = { '/run/secrets/token': 's3cret-from-file\n', '/run/secrets/empty': '\n' };
const readFile = (path: string) => {
  if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return files[path]!;
};

describe('secrets', () => {
  it('reads a file named by the flag or the *_FILE variable, without its final newline', () => {
    expect(readSecret('token', '/run/secrets/token', {}, readFile)).toBe('s3cret-from-file');
    expect(readSecret('turn', undefined, { SFU_TURN_SECRET_FILE: '/run/secrets/token' }, readFile)).toBe('s3cret-from-file');
  });

  it('reads the environment variable, and is undefined when nothing is given', () => {
    expect(readSecret('token', undefined, { SFU_TOKEN_SECRET: 'from-env' }, readFile)).toBe('from-env');
    expect(readSecret('turn', undefined, {}, readFile)).toBeUndefined();
  });

  it.each([
    ['two sources', () => readSecret('token', '/run/secrets/token', { SFU_TOKEN_SECRET: 'x' }, readFile), /given twice, in --token-secret-file and in SFU_TOKEN_SECRET/],
    ['a missing file', () => readSecret('turn', '/nope', {}, readFile), /cannot read the turn secret from \/nope \(--turn-secret-file\): ENOENT/],
    ['an empty file', () => readSecret('token', '/run/secrets/empty', {}, readFile), /is empty/],
    ['an empty variable', () => readSecret('token', undefined, { SFU_TOKEN_SECRET: '' }, readFile), /SFU_TOKEN_SECRET is set but empty/],
  ])('refuses %s', (_name, read, message) => {
    expect(read).toThrow(message);
  });

  it('tells a user of the old flag where the secret goes now', () => {
    expect(secretOnCommandLine('turn').message).toMatch(/--turn-secret is no longer accepted: .*process list.*--turn-secret-file <path>.*SFU_TURN_SECRET/);
  });
});
