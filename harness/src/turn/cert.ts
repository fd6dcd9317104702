// A self-signed certificate for the run's TURN-over-TLS listener, made with the openssl command
// line (Debian's openssl package). Browsers do not trust it: the run's browsers are told to accept
// this one certificate's public key (`--ignore-certificate-errors-spki-list`), and nothing else,
// so a user's own page with a bad certificate still fails as it would for a real user.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
  /** base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's SPKI allowlist takes it. */
  spkiSha256: string;
}

/** base64(SHA-256(SubjectPublicKeyInfo DER)) of a PEM certificate: what `--ignore-certificate-errors-spki-list` matches. */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Writes `turn-cert.pem` and `turn-key.pem` (P-256, valid one day, CN and subjectAltName
 * `ip`) into `dir`. Takes ~20 ms.
 */
export async function createSelfSignedCertificate(dir: string, ip: string, openssl = 'openssl'): Promise<CertificateFiles> {
  const certPath = join(dir, 'turn-cert.pem');
  const keyPath = join(dir, 'turn-key.pem');
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${ip}`, '-addext', `subjectAltName=IP:${ip}`, '-keyout', keyPath, '-out', certPath,
  ];
  try {
    await run(openssl, args, { timeout: 20_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`openssl not found: it makes the TURN server's TLS certificate; install it with 'apt-get install -y openssl' (or run 'npm run setup')`);
    }
    throw new Error(`openssl could not make the TURN certificate: ${(e.stderr ?? e.message).trim()}`);
  }
  return { certPath, keyPath, spkiSha256: spkiSha256(readFileSync(certPath, 'utf8')) };
}
