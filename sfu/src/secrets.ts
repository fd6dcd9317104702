// Where the standalone server (main.ts) takes its secrets from: a file (`--token-secret-file`,
// or its path in SFU_TOKEN_SECRET_FILE) or the environment (SFU_TOKEN_SECRET), never the command
// line, whose arguments every user of the machine can read (ps, /proc/<pid>/cmdline).
import { readFileSync } from 'node:fs';

export type SecretName = 'token' | 'turn';

/** How each secret is spelled on the command line and in the environment. */
export const SECRET_NAMES: Record<SecretName, { flag: string; fileFlag: string; env: string; fileEnv: string }> = {
  token: { flag: '--token-secret', fileFlag: '--token-secret-file', env: 'SFU_TOKEN_SECRET', fileEnv: 'SFU_TOKEN_SECRET_FILE' },
  turn: { flag: '--turn-secret', fileFlag: '--turn-secret-file', env: 'SFU_TURN_SECRET', fileEnv: 'SFU_TURN_SECRET_FILE' },
};

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** The error for a secret given as a command-line value: says where to put it instead. */
export function secretOnCommandLine(name: SecretName): SecretError {
  const n = SECRET_NAMES[name];
  return new SecretError(
    `${n.flag} is no longer accepted: a secret on the command line is visible to every user in the process list (ps); ` +
      `put it in a file and pass ${n.fileFlag} <path> (or set ${n.fileEnv}), or set ${n.env}`,
  );
}

/**
 * The secret `name` from `filePath` (the --*-secret-file flag, else the *_FILE variable) or the
 * environment variable; undefined when none is given. Two sources at once is an error, so a stale
 * variable cannot silently win over the file the operator meant.
 */
export function readSecret(
  name: SecretName,
  filePath: string | undefined,
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string | undefined {
  const n = SECRET_NAMES[name];
  const path = filePath ?? env[n.fileEnv];
  const value = env[n.env];
  if (path !== undefined && value !== undefined) {
    throw new SecretError(`the ${name} secret is given twice, in ${filePath !== undefined ? n.fileFlag : n.fileEnv} and in ${n.env}; keep one`);
  }
  if (path === undefined) {
    if (value !== undefined && value.length === 0) throw new SecretError(`${n.env} is set but empty; unset it or give the secret`);
    return value;
  }
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new SecretError(`cannot read the ${name} secret from ${path} (${filePath !== undefined ? n.fileFlag : n.fileEnv}): ${(error as Error).message}`);
  }
  // Files usually end with a newline the secret does not contain (echo, Kubernetes secrets from literals do not).
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) throw new SecretError(`the ${name} secret file ${path} is empty`);
  return secret;
}
