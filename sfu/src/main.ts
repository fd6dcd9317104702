// `npm run sfu [-- options]`: the SFU as a standalone server. Options come from the command line,
// else from SFU_* environment variables, else the defaults below (CLI > env > default).
// Exits 0 after a clean SIGINT/SIGTERM shutdown, 1 on bad options or a failed start.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startSfu } from './server.ts';
import type { SfuOptions } from './options.ts';
import type { LogLevel } from './logger.ts';
import { errorMessage } from './logger.ts';

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
  .addOption(new Option('--token-secret <secret>', 'require joins to carry a room token minted with this secret').env('SFU_TOKEN_SECRET'))
  .addOption(new Option('--turn-url <url...>', 'TURN URL(s) to hand out with credentials (needs --turn-secret)').env('SFU_TURN_URLS'))
  .addOption(new Option('--turn-secret <secret>', "coturn's static-auth-secret").env('SFU_TURN_SECRET'))
  .addOption(new Option('--client-dir <dir>', 'built call page directory (default: sfu/client/dist)').env('SFU_CLIENT_DIR'))
  .addOption(new Option('--log-level <level>', 'lowest level logged').choices(['debug', 'info', 'warn', 'error', 'silent']).env('SFU_LOG_LEVEL').default('info'))
  .showHelpAfterError();

interface Cli {
  port: number;
  rtcPort: number;
  workers?: number;
  listenIp: string;
  announcedAddress?: string;
  tokenSecret?: string;
  turnUrl?: string[] | string;
  turnSecret?: string;
  clientDir?: string;
  logLevel: LogLevel;
}

async function main(): Promise<void> {
  const cli = program.parse().opts<Cli>();
  // From the environment, the URL list is one comma-separated string.
  const turnUrls = typeof cli.turnUrl === 'string' ? cli.turnUrl.split(',').map((u) => u.trim()).filter(Boolean) : cli.turnUrl;
  if ((turnUrls === undefined) !== (cli.turnSecret === undefined)) {
    program.error('error: --turn-url and --turn-secret go together (or SFU_TURN_URLS and SFU_TURN_SECRET)');
  }
  const options: SfuOptions = {
    httpPort: cli.port,
    rtcPort: cli.rtcPort,
    listenIp: cli.listenIp,
    logLevel: cli.logLevel,
    ...(cli.workers !== undefined && { numWorkers: cli.workers }),
    ...(cli.announcedAddress !== undefined && { announcedAddress: cli.announcedAddress }),
    ...(cli.tokenSecret !== undefined && { tokenSecret: cli.tokenSecret }),
    ...(turnUrls !== undefined && cli.turnSecret !== undefined && { turn: { urls: turnUrls, secret: cli.turnSecret } }),
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
