// What a run ran on, so that it can be reproduced and runs compared fairly.
import { readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { createRequire } from 'node:module';
import type { RunEnvironment } from './results.ts';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return String(require(`${name}/package.json`).version);
  } catch {
    return null;
  }
}

export function runEnvironment(chromiumVersion: string | null): RunEnvironment {
  const own = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  return {
    harnessVersion: String(own.version),
    node: process.version,
    chromium: chromiumVersion,
    mediasoup: packageVersion('mediasoup'),
    platform: `${platform()} ${release()}`,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}
