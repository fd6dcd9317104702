// What a run ran on, so that it can be reproduced and runs compared fairly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, totalmem, platform, release } from 'node:os';
import { createRequire } from 'node:module';
import type { RunEnvironment } from '../results/schema.ts';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return String(require(`${name}/package.json`).version);
  } catch {
    return null;
  }
}

export interface Checkout {
  commit: string | null;
  dirty: boolean | null;
}

function git(args: string[], cwd: string): string | null {
  try {
    // Bounded: a huge or networked checkout must not hold up the run.
    return execFileSync('git', args, { cwd, timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/**
 * The git commit of the checkout at `cwd` (where the user's scenarios live), else the commit CI
 * says it built ($GITHUB_SHA, $CI_COMMIT_SHA): CI images often run without git or with a copy
 * of the sources only.
 */
export function gitCheckout(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Checkout {
  const commit = git(['rev-parse', 'HEAD'], cwd);
  if (commit && /^[0-9a-f]{40,64}$/.test(commit)) {
    const status = git(['status', '--porcelain', '--untracked-files=no'], cwd);
    return { commit, dirty: status === null ? null : status.length > 0 };
  }
  return { commit: env.GITHUB_SHA || env.CI_COMMIT_SHA || null, dirty: null };
}

/** The page of the CI job running this, when run in GitHub Actions or GitLab CI. */
export function ciJobUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return env.CI_JOB_URL || null;
}

/**
 * Reads the machine, the versions and the git checkout: files and a git process, so call it once
 * per run (the runner does) and fill in `chromium` once a browser has said its version.
 */
export function runEnvironment(chromiumVersion: string | null): RunEnvironment {
  const own = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const checkout = gitCheckout();
  return {
    harnessVersion: String(own.version),
    node: process.version,
    chromium: chromiumVersion,
    mediasoup: packageVersion('mediasoup'),
    platform: `${platform()} ${release()}`,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    gitCommit: checkout.commit,
    gitDirty: checkout.dirty,
    ciJobUrl: ciJobUrl(),
  };
}
