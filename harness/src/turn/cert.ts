// A self-signed certificate for the run's TURN-over-TLS listener, made with the openssl command
// line (Debian's openssl package). Browsers do not trust it: participants that use TURN over
// TLS run in a Chromium started with --ignore-certificate-errors.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
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
  return { certPath, keyPath };
}
