// `npm run sfu [-- options]`: the SFU as a standalone server. Options come from the command line,
// else from SFU_* environment variables, else the defaults below (CLI > env > default).
// Secrets come only from files or the environment (secrets.ts): argv is world-readable.
// Exits 0 after a clean SIGINT/SIGTERM shutdown, 1 on bad options or a failed start.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startSfu } from './server.ts';
import type { SfuOptions } from './options.ts';
import type { LogLevel } from './logger.ts';
import { errorMessage } from './logger.ts';
import { DEFAULT_SIGNALING_LIMITS, type SignalingLimits } from './limits.ts';
import { readSecret, secretOnCommandLine, SecretError } from './secrets.ts';

/** The standalone server listens on fixed, firewall-friendly ports (startSfu's own default is ephemeral). */
const DEFAULT_HTTP_PORT = 3000;
const DEFAULT_RTC_PORT = 40000;

function int(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    return Number(value);
  };
}

const program = new Command('sfu')
  .description('the rtc-harness mediasoup SFU: call page at /, signaling at /ws, /healthz, /metrics')
  .addOption(new Option('--port <n>', 'HTTP and WebSocket port (0 = any free port)').env('SFU_PORT').argParser(int('--port')).default(DEFAULT_HTTP_PORT))
  .addOption(new Option('--rtc-port <n>', 'media port of worker 0, worker i uses n+i, UDP+TCP (0 = free ports)').env('SFU_RTC_PORT').argParser(int('--rtc-port')).default(DEFAULT_RTC_PORT))
  .addOption(new Option('--workers <n>', 'mediasoup workers (default: one per core)').env('SFU_WORKERS').argParser(int('--workers')))
  .addOption(new Option('--listen-ip <ip>', 'IP to bind HTTP and media sockets to').env('SFU_LISTEN_IP').default('127.0.0.1'))
  .addOption(new Option('--announced-address <addr>', 'address peers reach the SFU at (needed with --listen-ip 0.0.0.0)').env('SFU_ANNOUNCED_ADDRESS'))
  .addOption(new Option('--token-secret-file <path>', 'require joins to carry a room token minted with the secret in this file (or set SFU_TOKEN_SECRET)').env('SFU_TOKEN_SECRET_FILE'))
  .addOption(new Option('--turn-url <url...>', 'TURN URL(s) to hand out with credentials (needs the TURN secret)').env('SFU_TURN_URLS'))
  .addOption(new Option('--turn-secret-file <path>', "file holding coturn's static-auth-secret (or set SFU_TURN_SECRET)").env('SFU_TURN_SECRET_FILE'))
  // The old value flags, kept only to say where the secret goes now.
  .addOption(new Option('--token-secret <secret>').hideHelp())
  .addOption(new Option('--turn-secret <secret>').hideHelp())
  .addOption(new Option('--allow-anonymous-joins', 'listen beyond loopback without a token secret (closed networks only); SFU_ALLOW_ANONYMOUS_JOINS=1'))
  .addOption(new Option('--allowed-hosts <names>', 'comma-separated Host names the SFU answers to besides loopback and its addresses').env('SFU_ALLOWED_HOSTS'))
  .addOption(new Option('--allowed-origins <origins>', 'comma-separated origins whose pages may open signaling, e.g. https://app.example.com').env('SFU_ALLOWED_ORIGINS'))
  .addOption(new Option('--limits <list>', `comma-separated name=value caps, e.g. maxRooms=100,maxPeersPerRoom=20 (names: ${Object.keys(DEFAULT_SIGNALING_LIMITS).join(', ')})`).env('SFU_LIMITS'))
  .addOption(new Option('--client-dir <dir>', 'built call page directory (default: sfu/client/dist)').env('SFU_CLIENT_DIR'))
  .addOption(new Option('--log-level <level>', 'lowest level logged').choices(['debug', 'info', 'warn', 'error', 'silent']).env('SFU_LOG_LEVEL').default('info'))
  .showHelpAfterError();

interface Cli {
  port: number;
  rtcPort: number;
  workers?: number;
  listenIp: string;
  announcedAddress?: string;
  tokenSecretFile?: string;
  turnUrl?: string[] | string;
  turnSecretFile?: string;
  tokenSecret?: string;
  turnSecret?: string;
  allowAnonymousJoins?: boolean;
  allowedHosts?: string;
  allowedOrigins?: string;
  limits?: string;
  clientDir?: string;
  logLevel: LogLevel;
}

function list(text: string | undefined): string[] | undefined {
  return text?.split(',').map((item) => item.trim()).filter(Boolean);
}

function parseLimits(text: string | undefined): SignalingLimits | undefined {
  if (text === undefined) return undefined;
  const limits: Record<string, number> = {};
  for (const item of list(text) ?? []) {
    const match = /^(\w+)=(\d+)$/.exec(item);
    if (!match) return program.error(`error: --limits item '${item}' must be name=whole number, e.g. maxRooms=100`);
    limits[match[1]!] = Number(match[2]); // names and ranges are checked by startSfu
  }
  return limits as SignalingLimits;
}

async function main(): Promise<void> {
  const cli = program.parse().opts<Cli>();
  let tokenSecret: string | undefined;
  let turnSecret: string | undefined;
  try {
    if (cli.tokenSecret !== undefined) throw secretOnCommandLine('token');
    if (cli.turnSecret !== undefined) throw secretOnCommandLine('turn');
    tokenSecret = readSecret('token', cli.tokenSecretFile, process.env);
    turnSecret = readSecret('turn', cli.turnSecretFile, process.env);
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    program.error(`error: ${error.message}`);
  }
  const anonymousEnv = process.env.SFU_ALLOW_ANONYMOUS_JOINS;
  if (anonymousEnv !== undefined && !['0', '1', 'true', 'false'].includes(anonymousEnv)) {
    program.error(`error: SFU_ALLOW_ANONYMOUS_JOINS must be 1 or 0, got '${anonymousEnv}'`);
  }
  const allowAnonymousJoins = cli.allowAnonymousJoins ?? (anonymousEnv === '1' || anonymousEnv === 'true');
  // From the environment, the URL list is one comma-separated string.
  const turnUrls = typeof cli.turnUrl === 'string' ? list(cli.turnUrl) : cli.turnUrl;
  if ((turnUrls === undefined) !== (turnSecret === undefined)) {
    program.error('error: --turn-url and the TURN secret go together (SFU_TURN_URLS with --turn-secret-file, SFU_TURN_SECRET_FILE or SFU_TURN_SECRET)');
  }
  const limits = parseLimits(cli.limits);
  const allowedHosts = list(cli.allowedHosts);
  const allowedOrigins = list(cli.allowedOrigins);
  const options: SfuOptions = {
    httpPort: cli.port,
    rtcPort: cli.rtcPort,
    listenIp: cli.listenIp,
    logLevel: cli.logLevel,
    ...(cli.workers !== undefined && { numWorkers: cli.workers }),
    ...(cli.announcedAddress !== undefined && { announcedAddress: cli.announcedAddress }),
    ...(tokenSecret !== undefined && { tokenSecret }),
    ...(turnUrls !== undefined && turnSecret !== undefined && { turn: { urls: turnUrls, secret: turnSecret } }),
    ...(allowAnonymousJoins && { allowAnonymousJoins }),
    ...(allowedHosts !== undefined && { allowedHosts }),
    ...(allowedOrigins !== undefined && { allowedOrigins }),
    ...(limits !== undefined && { limits }),
    ...(cli.clientDir !== undefined && { clientDir: cli.clientDir }),
  };
  let sfu;
  try {
    sfu = await startSfu(options);
  } catch (error) {
    process.stderr.write(`sfu: ${errorMessage(error)}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    [
      `call page  ${sfu.url}/`,
      `signaling  ${sfu.wsUrl}`,
      `health     ${sfu.url}/healthz`,
      `metrics    ${sfu.url}/metrics`,
      `media      ${sfu.rtcPorts.map((p) => `${options.announcedAddress ?? options.listenIp}:${p}`).join(', ')} (UDP+TCP)`,
      `workers    ${sfu.workerPids.length} (pids ${sfu.workerPids.join(', ')})`,
      '',
    ].join('\n'),
  );
  const running = sfu;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`sfu: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`sfu: ${signal}, closing\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sfu: close failed: ${errorMessage(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
