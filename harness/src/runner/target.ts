// What the participants' pages connect to, as three tasks: the run's TURN server when it uses one
// (first, so that the SFU can hand out its credentials, and stopped last), the target (the bundled
// SFU, the user's own call page, or a WHIP/WHEP endpoint) and a simulated access link for every
// participant whose network the scenario shapes.
import { startSfu } from '../../../sfu/src/server.ts';
import { fillUrlTemplate } from '../pages/url-template.ts';
import { referencePage } from '../pages/reference.ts';
import { BLANK_PAGE_URL, whipAdapters } from '../pages/whip.ts';
import type { RunPlan } from '../scenario/plan.ts';
import type { CoturnExit } from '../turn/coturn.ts';
import { startRunTurn } from '../turn/run-turn.ts';
import type { RunContext } from './context.ts';
import { ParticipantLinks, type LinkTarget } from './links.ts';
import { whyUnreachable } from './reachable.ts';
import type { Task } from './tasks.ts';

export function shapedParticipants(plan: RunPlan): Set<string> {
  const shaped = new Set(plan.participants.filter((p) => p.network !== null || p.turn).map((p) => p.id));
  for (const step of plan.timeline) {
    if (step.action.do === 'network' || step.action.do === 'forceTurn') for (const id of step.participantIds) shaped.add(id);
  }
  return shaped;
}

export function turnTask(run: RunContext): Task {
  return {
    name: 'TURN server',
    async start() {
      if (!run.plan.turn) return;
      run.turn = await startRunTurn(run.plan.turn, { outDir: run.options.outDir, participants: run.plan.participants.length, durationMs: run.plan.durationMs });
      run.log('info', `TURN server (${run.plan.turn.kind}): ${run.turn.urls.join(', ')}`);
      void run.turn.died.then((exit) => turnServerDied(run, exit));
    },
    async stop() {
      await run.turn?.stop();
    },
  };
}

/**
 * The bundled coturn died mid-run. Participants relayed through it lose their media there and
 * say so; the others carry on and keep every figure. The run is invalid: what failed is the
 * harness's own relay, not the system under test.
 */
function turnServerDied(run: RunContext, exit: CoturnExit): void {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const at = `+${((exit.atMs - run.startMs) / 1000).toFixed(1)} s`;
  const relayed = [...run.records.values()].filter((r) => {
    if (r.participant?.joinedAtMs == null) return false;
    const lastRelay = run.query('ice_relay', { participant: r.plan.id }).at(-1);
    return lastRelay === 1 || r.plan.turn?.policy === 'relay' || (r.plan.turn?.transport ?? null) !== null;
  });
  for (const r of relayed) r.error ??= `its TURN server (the bundled coturn) died at ${at} (${how}): its relayed media stopped there`;
  const who = relayed.length > 0 ? `relayed participants lost their media: ${relayed.map((r) => r.plan.id).join(', ')}` : 'no participant was relayed';
  run.log('error', `the bundled TURN server died at ${at} (${how}): ${who}; the others are unaffected, and every figure measured is kept`);
  run.fail(`the bundled TURN server (coturn) died mid-run (${how})`);
}

/** The bundled SFU, or the user's call page or WHIP/WHEP endpoint (nothing to start). */
export function targetTask(run: RunContext): Task {
  return {
    name: 'SFU',
    async start() {
      const target = run.plan.target;
      if (target.kind === 'url') {
        const adapter = target.page ?? referencePage;
        run.pages = { pageUrl: (p) => fill(target.url, p), adapterFor: () => adapter };
        const first = run.plan.participants[0];
        if (first) await checkReachable(run, 'the call page', fill(target.url, first), 'GET');
        return;
      }
      if (target.kind === 'whip') {
        // Publishers over WHIP, the others over WHEP, each from a blank page.
        const adapters = whipAdapters(target);
        run.pages = { pageUrl: () => BLANK_PAGE_URL, adapterFor: (p) => (p.publish.audio || p.publish.video ? adapters.publisher : adapters.viewer) };
        const first = run.plan.participants[0];
        for (const [what, url] of [['the WHIP endpoint', target.whip], ['the WHEP endpoint', target.whep]] as const) {
          if (url && first) await checkReachable(run, what, fill(url, first), 'OPTIONS');
        }
        return;
      }
      // The SFU's warnings and errors (a worker that died, its replacement, or why there is none) go into the run's log.
      const logger = { debug: () => {}, info: () => {}, warn: (m: string) => run.log('warn', `SFU: ${m}`), error: (m: string) => run.log('error', `SFU: ${m}`) };
      const sfu = await startSfu({ numWorkers: target.workers, logLevel: 'warn', logger, ...(run.turn ? { turn: run.turn.sfu } : {}) });
      run.sfu = sfu;
      // The page restarts ICE by itself when its connection drops (as apps do) with TURN, which is
      // how a call blocked mid-way finds the relay, or when the scenario asks (target.iceRestart).
      const pageOptions = (target.iceRestart ?? run.turn !== null) ? '&icerestart=1' : '';
      run.pages = {
        // Count-mode participants receive video unseen: painting it would cost what counting saves.
        pageUrl: (p) => `${sfu.url}/?room=${encodeURIComponent(p.room)}&name=${encodeURIComponent(p.id)}${pageOptions}${p.receive === 'count' ? '&render=0' : ''}`,
        adapterFor: () => referencePage,
      };
      run.log('info', `bundled SFU at ${sfu.url} (${sfu.workerPids.length} worker(s), media port(s) ${sfu.rtcPorts.join(', ')})`);
      try {
        run.options.onTargetStarted?.({ name: 'sfu', metricsUrl: `${sfu.url}/metrics` });
      } catch (err) {
        run.log('warn', `onTargetStarted: ${(err as Error).message}`);
      }
    },
    async stop() {
      await run.sfu?.close();
    },
  };
}

/** A target URL for one participant: its {room} and {name} filled in. */
const fill = (url: string, p: { room: string; id: string }): string => fillUrlTemplate(url, { room: p.room, name: p.id });

/**
 * Throws when `url` does not answer (the run ends with exit 2 at once). Remote browsers reach the
 * server from elsewhere, so there it is only a warning.
 */
async function checkReachable(run: RunContext, what: string, url: string, method: 'GET' | 'OPTIONS'): Promise<void> {
  const why = await whyUnreachable(url, undefined, method);
  if (why === null) return;
  const message = `${what} at ${new URL(url).origin} cannot be reached from here: ${why}`;
  if (run.options.browserEndpoints?.length) {
    run.log('warn', `${message}; the remote browsers may still reach it`);
    return;
  }
  throw new Error(message);
}

/** One link per shaped participant, relaying to every media address of the SFU (and TURN). */
export function linksTask(run: RunContext): Task {
  return {
    name: 'network links',
    async start() {
      const { plan, turn } = run;
      const shaped = shapedParticipants(plan);
      if (shaped.size === 0) return;
      const media = mediaAddresses(run);
      const links = new ParticipantLinks(media, plan.seed, turn ? { routes: turn.routes, unshapedSources: turn.unshapedSources } : undefined);
      run.links = links;
      for (const p of plan.participants) {
        const access = turn && p.turn?.transport ? turn.access(p.turn.transport) : undefined;
        if (shaped.has(p.id)) await links.create(p.id, p.group, p.network, access);
      }
      run.log('info', `${shaped.size} simulated network link(s) to ${media.map((m) => `${m.host}:${m.port}`).join(', ')}`);
    },
    async stop() {
      await run.links?.close();
    },
  };
}

/** Where the links relay to: the bundled SFU's media ports, or the user's SFU's (target.media). */
function mediaAddresses(run: RunContext): LinkTarget[] {
  if (run.sfu) return run.sfu.rtcPorts.map((port) => ({ host: run.sfu!.options.listenIp, port }));
  const target = run.plan.target;
  if (target.kind !== 'bundled' && target.media) return [...target.media];
  throw new Error(
    "simulated networks on your own SFU need its media addresses: add target.media, e.g. ['10.0.0.5:40000'] or a port range ['10.0.0.5:20000-20099'] (as its ICE candidates name them)",
  );
}
