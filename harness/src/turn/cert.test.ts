// The run's TURN certificate, made with Debian's openssl, and the key hash the browsers are told to
// accept. The hash is checked against openssl's own pipeline (the one Chromium's documentation
// gives for --ignore-certificate-errors-spki-list), so a mismatch would mean a TLS relay that
// never connects.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../util/temp-dir.ts';
import { createSelfSignedCertificate, spkiSha256 } from './cert.ts';

const dir = makeTempDir('rtc-harness-cert-test-');
afterAll(() => dir.remove());

describe('the TURN certificate', () => {
  it("is made for the listening IP, and its SPKI hash is openssl's", async () => {
    const cert = await createSelfSignedCertificate(dir.path, '127.0.0.1');
    const text = execFileSync('openssl', ['x509', '-in', cert.certPath, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/IP Address:127\.0\.0\.1/);
    const pubkey = execFileSync('openssl', ['x509', '-in', cert.certPath, '-pubkey', '-noout']);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pubkey });
    const hash = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64');
    expect(cert.spkiSha256).toBe(hash);
    expect(spkiSha256(readFileSync(cert.certPath, 'utf8'))).toBe(hash);
  });

  it('two certificates have two keys: a browser trusts only the run it belongs to', async () => {
    const other = makeTempDir('rtc-harness-cert-test-');
    try {
      const a = await createSelfSignedCertificate(dir.path, '127.0.0.1');
      const b = await createSelfSignedCertificate(other.path, '127.0.0.1');
      expect(a.spkiSha256).not.toBe(b.spkiSha256);
    } finally {
      other.remove();
    }
  });
});
