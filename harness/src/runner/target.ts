// What the participants' pages connect to: the bundled SFU (or the user's own call page), the
// run's TURN server when it uses one, and a simulated access link for every participant whose
// network the scenario shapes. Each part started registers its own teardown step, so a failure
// half-way still closes what was started.
import { startSfu, type Sfu } from '../../../sfu/src/server.ts';
import type { PageAdapter } from '../pages/adapter.ts';
import { referencePage } from '../pages/reference.ts';
import { BLANK_PAGE_URL, whipAdapters } from '../pages/whip.ts';
import type { PlannedParticipant, RunPlan } from '../scenario/plan.ts';
import { startRunTurn, type RunTurn } from '../turn/run-turn.ts';
import { ParticipantLinks, type LinkTarget } from './links.ts';

export interface TeardownStep {
  name: string;
  fn: () => Promise<void>;
}

export interface TargetContext {
  outDir: string;
  /** Steps are appended as parts start; the runner runs them in reverse. */
  teardown: TeardownStep[];
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  onTargetStarted?: (target: { name: 'sfu'; metricsUrl: string }) => void;
}

export interface StartedTarget {
  /** The URL a participant's page opens. */
  pageUrl: (p: PlannedParticipant) => string;
  /** What drives a participant's page. */
  adapterFor: (p: PlannedParticipant) => PageAdapter;
  /** The bundled SFU, null for a user's own call page. */
  sfu: Sfu | null;
  links: ParticipantLinks | null;
  turn: RunTurn | null;
}

/** Participants with a simulated link: a network in their group or a change later, or TURN (a firewall on the link forces the relay). */
export function shapedParticipants(plan: RunPlan): Set<string> {
  const shaped = new Set(plan.participants.filter((p) => p.network !== null || p.turn).map((p) => p.id));
  for (const step of plan.timeline) {
    if (step.action.do === 'network' || step.action.do === 'forceTurn') for (const id of step.participantIds) shaped.add(id);
  }
  return shaped;
}

export async function startTarget(plan: RunPlan, ctx: TargetContext): Promise<StartedTarget> {
  const { log, teardown } = ctx;
  const shaped = shapedParticipants(plan);

  // The TURN server first, so that the SFU can hand out its credentials; torn down last.
  let turn: RunTurn | null = null;
  if (plan.turn) {
    const started = await startRunTurn(plan.turn, { outDir: ctx.outDir, participants: plan.participants.length });
    turn = started;
    teardown.push({ name: 'TURN server', fn: () => started.stop() });
    log('info', `TURN server (${plan.turn.kind}): ${started.urls.join(', ')}`);
  }

  const target = plan.target;
  if (target.kind !== 'bundled') {
    let pageUrl: (p: PlannedParticipant) => string;
    let adapterFor: (p: PlannedParticipant) => PageAdapter;
    if (target.kind === 'url') {
      const adapter = target.page ?? referencePage;
      pageUrl = (p) => target.url.replaceAll('{room}', encodeURIComponent(p.room)).replaceAll('{name}', encodeURIComponent(p.id));
      adapterFor = () => adapter;
    } else {
      // Publishers over WHIP, the others over WHEP, each from a blank page.
      const adapters = whipAdapters(target);
      pageUrl = () => BLANK_PAGE_URL;
      adapterFor = (p) => (p.publish.audio || p.publish.video ? adapters.publisher : adapters.viewer);
    }
    if (shaped.size === 0) return { pageUrl, adapterFor, sfu: null, links: null, turn };
    if (!target.media) {
      throw new Error(
        "simulated networks on your own SFU need its media addresses: add target.media, e.g. ['10.0.0.5:40000'] or a port range ['10.0.0.5:20000-20099'] (as its ICE candidates name them)",
      );
    }
    const links = await startLinks(plan, shaped, target.media, turn, ctx);
    return { pageUrl, adapterFor, sfu: null, links, turn };
  }

  // The SFU's warnings and errors (a worker that died, its replacement, or why there is none) go into the run's log.
  const sfuLogger = { debug: () => {}, info: () => {}, warn: (m: string) => log('warn', `SFU: ${m}`), error: (m: string) => log('error', `SFU: ${m}`) };
  const sfu = await startSfu({ numWorkers: target.workers, logLevel: 'warn', logger: sfuLogger, ...(turn ? { turn: turn.sfu } : {}) });
  teardown.push({ name: 'SFU', fn: () => sfu.close() });
  // The page restarts ICE by itself when its connection drops (as apps do) with TURN, which is
  // how a call blocked mid-way finds the relay, or when the scenario asks (target.iceRestart).
  const pageOptions = (target.iceRestart ?? turn !== null) ? '&icerestart=1' : '';
  const pageUrl = (p: PlannedParticipant) =>
    `${sfu.url}/?room=${encodeURIComponent(p.room)}&name=${encodeURIComponent(p.id)}${pageOptions}`;
  log('info', `bundled SFU at ${sfu.url} (${sfu.workerPids.length} worker(s), media port(s) ${sfu.rtcPorts.join(', ')})`);
  try {
    ctx.onTargetStarted?.({ name: 'sfu', metricsUrl: `${sfu.url}/metrics` });
  } catch (err) {
    log('warn', `onTargetStarted: ${(err as Error).message}`);
  }

  const media = sfu.rtcPorts.map((port) => ({ host: sfu.options.listenIp, port }));
  const links = shaped.size > 0 ? await startLinks(plan, shaped, media, turn, ctx) : null;
  return { pageUrl, adapterFor: () => referencePage, sfu, links, turn };
}

/** One link per shaped participant, relaying to every media address of the SFU (and TURN). */
async function startLinks(
  plan: RunPlan,
  shaped: ReadonlySet<string>,
  media: LinkTarget[],
  turn: RunTurn | null,
  ctx: TargetContext,
): Promise<ParticipantLinks> {
  const links = new ParticipantLinks(media, plan.seed, turn ? { routes: turn.routes, unshapedSources: turn.unshapedSources } : undefined);
  ctx.teardown.push({ name: 'network links', fn: () => links.close() });
  for (const p of plan.participants) {
    const access = turn && p.turn?.transport ? turn.access(p.turn.transport) : undefined;
    if (shaped.has(p.id)) await links.create(p.id, p.group, p.network, access);
  }
  ctx.log('info', `${shaped.size} simulated network link(s) to ${media.map((m) => `${m.host}:${m.port}`).join(', ')}`);
  return links;
}
