// The browsers and the participants' pages, opened before the clock starts so that joins happen
// on time. Each page gets the stats agent, and through its bridge the candidate rewrite of its
// link and its TURN overrides. A page that crashes keeps what it measured and says why.
import { buildAgentScript } from '../browser/bundle.ts';
import { RECEIVE_BY_COUNTING_SCRIPT, replayScript, stampsScript } from '../participants/agent-bridge.ts';
import { Participant } from '../participants/participant.ts';
import { ensureClip } from '../participants/clip.ts';
import { BrowserPool } from '../participants/pool.ts';
import { checkMediaDevices } from '../participants/remote.ts';
import { DEFAULTS } from '../scenario/plan.ts';
import { stampSenderIds, stampSenderMap, stampSenderNumbers } from '../scenario/stamp-senders.ts';
import type { RunContext } from './context.ts';
import type { ParticipantRecord } from './summary.ts';
import type { Task } from './tasks.ts';

export function browsersTask(run: RunContext): Task {
  return {
    name: 'browsers',
    async start() {
      const { chromium } = run.options;
      run.pool = new BrowserPool({
        participantsPerBrowser: run.plan.browser.participantsPerBrowser,
        countingPerBrowser: run.plan.browser.countingPerBrowser,
        chromium: {
          ...chromium,
          headful: run.plan.browser.headful,
          // The bundled TURN server's TLS certificate is the run's own: the browsers accept its key, and only it.
          ...(run.turn?.tlsSpkiSha256 ? { trustedSpkiSha256: [run.turn.tlsSpkiSha256] } : {}),
        },
        ...(run.options.browserEndpoints?.length ? { endpoints: run.options.browserEndpoints } : {}),
      });
      if (run.pool.remote) {
        run.log('info', `remote browsers: ${run.options.browserEndpoints!.join(', ')}`);
        const clips = [...run.records.values()].filter((r) => r.plan.publish.video?.source === 'clip').map((r) => r.plan.id);
        // The clip is a browser flag, and a remote browser's flags are its owner's.
        if (clips.length > 0) run.log('warn', `video source 'clip' needs a browser launched here: ${clips.join(', ')} send what the remote browsers' cameras show`);
      }
    },
    async stop() {
      await run.pool?.close();
    },
  };
}

/** Stopped before the browsers, so that no page counts as crashed when its browser closes. */
export function pagesTask(run: RunContext): Task {
  return {
    name: 'participants',
    async start() {
      const agentScript = await buildAgentScript();
      // Numbered over the whole run (a shard's plan keeps them all), so a viewer names a sender
      // that another shard runs as well.
      const senderIds = stampSenderIdsOf(run);
      for (const [n, id] of stampSenderMap(senderIds)) run.stampSenders.set(n, id);
      for (const [id, n] of stampSenderNumbers(senderIds)) run.stampSenderNumbers.set(id, n);
      for (const rec of run.records.values()) {
        if (run.stopReason) break;
        try {
          await openPage(run, rec, agentScript);
        } catch (err) {
          rec.error = `could not open its page: ${(err as Error).message}`;
          run.log('error', `${rec.plan.id}: ${rec.error}`);
        }
      }
      if ([...run.records.values()].every((r) => r.error)) throw new Error('no participant page could be opened');
    },
    async stop() {
      await Promise.allSettled([...run.records.values()].map((r) => r.participant?.close()));
    },
  };
}

async function openPage(run: RunContext, rec: ParticipantRecord, agentScript: string): Promise<void> {
  const { plan, pages, links, turn } = run;
  const joinTimeoutMs = ('joinTimeoutMs' in plan.target ? plan.target.joinTimeoutMs : undefined) ?? DEFAULTS.joinTimeoutMs;
  const video = rec.plan.publish.video;
  const clip = video?.source === 'clip' && !run.pool!.remote ? ensureClip(video) : undefined;
  const browser = rec.plan.browser ?? 'chromium';
  const pooled = await run.pool!.newPage({ browser, ...(clip ? { fakeVideoFile: clip } : {}), counting: rec.plan.receive === 'count' });
  const participant = new Participant({ id: rec.plan.id, group: rec.plan.group, index: rec.plan.index }, pooled, {
    adapter: pages!.adapterFor(rec.plan),
    room: rec.plan.room,
    publish: rec.plan.publish,
    signal: run.running.signal,
    log: (message) => run.log('info', message),
    joinTimeoutMs,
  });
  rec.participant = participant;
  if (!run.browserVersions.has(browser)) {
    const version = await participant.page.browser().version().catch(() => null);
    if (version) run.browserVersions.set(browser, version);
  }
  participant.on('crashed', (reason) => {
    rec.error ??= reason;
    // Its collector would only wait on a page that never answers again.
    void rec.collector?.stop();
    run.tracked.gone(rec.plan.id, rec.plan.room);
    run.log('error', `${rec.plan.id}: ${reason}; its measurements so far are kept`);
    // Once the clock runs (the timeline exists), a run with no live page left has nothing more to measure.
    if (run.timeline && ![...run.records.values()].some((r) => r.participant?.alive)) {
      run.fail(`every participant's page is gone (the last: ${reason})`);
      run.stop('every participant is gone');
    }
  });
  await participant.open(pages!.pageUrl(rec.plan), [agentScript, ...initScripts(run, rec)]);
  // A remote browser's flags are its owner's: say now if it cannot capture what the plan publishes.
  const needs = { video: !!rec.plan.publish.video, audio: !!rec.plan.publish.audio };
  if (pooled.endpoint && (needs.video || needs.audio)) await checkMediaDevices(participant.page, needs, pooled.endpoint);
  // Every SFU candidate the page receives now names its link, so all its media crosses it.
  if (links?.has(rec.plan.id)) await participant.agent.setCandidateRewrite(links.rewriteRules(rec.plan.id));
  const iceOverrides = turn?.overrides(rec.plan.id, rec.plan.turn);
  if (iceOverrides) await participant.agent.setIceOverrides(iceOverrides);
}

function stampSenderIdsOf(run: RunContext): string[] {
  return run.plan.stampSenders ?? stampSenderIds(run.plan.participants);
}

/** What the agent is told before the page's scripts run: count-mode receiving, stamped video. */
function initScripts(run: RunContext, rec: ParticipantRecord): string[] {
  const scripts: string[] = [];
  if (rec.plan.receive === 'count') scripts.push(RECEIVE_BY_COUNTING_SCRIPT);
  const video = rec.plan.publish.video;
  if (video?.source === 'replay') scripts.push(replayScript({ widthPx: video.width, heightPx: video.height, fps: video.fps }));
  const sender = run.stampSenderNumbers.get(rec.plan.id);
  // Count-mode receivers decode stand-ins, which carry no code to read; the reader is Chromium's.
  const read = run.stampSenders.size > 0 && rec.plan.receive !== 'count' && (rec.plan.browser ?? 'chromium') === 'chromium';
  if (sender !== undefined || read) {
    scripts.push(stampsScript({ ...(sender !== undefined ? { camera: { sender } } : {}), read, clockOffsetMs: run.clockOffset?.offsetMs ?? 0 }));
  }
  return scripts;
}
