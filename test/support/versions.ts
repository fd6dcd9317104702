// Global set-up of the end-to-end tests: prints what they run against, so a test log says which
// Chromium (Debian updates it under us), mediasoup and coturn produced it. Nothing is asserted here.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chromiumPath } from '../../harness/src/participants/chromium.ts';

function firstLine(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[0] ?? 'unknown';
  } catch (err) {
    const text = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '');
    return pattern.exec(text)?.[0] ?? `not found (${cmd})`;
  }
}

export default function setup(): void {
  const require = createRequire(import.meta.url);
  const versions = [
    `Chromium ${firstLine(chromiumPath(), ['--version'], /\d+\.\d+\.\d+\.\d+/)}`,
    `mediasoup ${require('mediasoup/package.json').version}`,
    `coturn ${firstLine('turnserver', ['--version'], /\d+\.\d+\.\d+(\.\d+)?/)}`,
    `Node ${process.versions.node}`,
  ];
  console.log(`e2e tests run against: ${versions.join(', ')}`);
}
