// The WHIP publisher against a WHIP server nobody here wrote: Meetecho's simple-whip-server
// (Debian's package) in front of Janus, publishing into the VideoRoom demo room 1234. The run's
// only target is the server's endpoint (with its Bearer token); that Janus really got the stream
// is checked apart from the harness, over Janus's own HTTP API: while the run goes, the room's
// participant list must show the server's publisher, and after the leave's DELETE, not any more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateScenario } from '../../harness/src/scenario/validate.ts';
import { resolvePlan } from '../../harness/src/scenario/resolve.ts';
import { runScenario } from '../../harness/src/runner/run.ts';
import { startJanus, type Janus } from '../support/janus.ts';
import { startSimpleWhipServer, type SimpleWhipServer } from '../support/simple-whip-server.ts';
import type { RunResults } from '../../harness/src/results/schema.ts';
import { tempOutDir } from '../support/results.ts';

const ROOM = 1234;
const LABEL = 'rtc-harness WHIP publisher';

interface RoomParticipant {
  id: number;
  display?: string;
  /** Janus: it has a PeerConnection up and publishes. */
  publisher: boolean;
}

/** Janus's HTTP API, as any client uses it: a session, a VideoRoom handle, synchronous requests. */
async function janusRequest(apiUrl: string, body: object): Promise<Record<string, any>> {
  const res = await fetch(apiUrl, { method: 'POST', body: JSON.stringify({ ...body, transaction: Math.random().toString(36).slice(2) }) });
  const json = (await res.json()) as Record<string, any>;
  if (json.janus === 'error') throw new Error(`Janus: ${json.error?.reason} (${JSON.stringify(body)})`);
  return json;
}

/** Polls room ROOM's participant list every 500 ms until `signal` aborts: what Janus saw, and when. */
async function watchRoom(apiUrl: string, signal: AbortSignal): Promise<Array<{ atMs: number; participants: RoomParticipant[] }>> {
  const session = (await janusRequest(apiUrl, { janus: 'create' })).data.id as number;
  const handle = (await janusRequest(`${apiUrl}/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id as number;
  const seen: Array<{ atMs: number; participants: RoomParticipant[] }> = [];
  try {
    while (!signal.aborted) {
      const res = await janusRequest(`${apiUrl}/${session}/${handle}`, { janus: 'message', body: { request: 'listparticipants', room: ROOM } });
      seen.push({ atMs: Date.now(), participants: res.plugindata.data.participants ?? [] });
      await sleep(500, undefined, { signal }).catch(() => {});
    }
  } finally {
    await janusRequest(`${apiUrl}/${session}`, { janus: 'destroy' }).catch(() => {});
  }
  return seen;
}

describe("WHIP publisher against Meetecho's simple-whip-server in front of Janus", () => {
  let janus: Janus;
  let server: SimpleWhipServer;
  let whip: string;
  const token = 'harness-token';
  beforeAll(async () => {
    janus = await startJanus({ websockets: true });
    server = await startSimpleWhipServer({ janusWsUrl: janus.wsUrl! });
    whip = await server.createEndpoint({ id: 'harness', room: ROOM, token, label: LABEL });
  });
  afterAll(async () => {
    await server?.stop();
    await janus?.stop();
  });

  it('publishes audio and video into VideoRoom room 1234 over WHIP, and leaves with DELETE', async () => {
    // The server checks the Bearer token: without it, a publish is refused before Janus sees anything.
    const refused = await fetch(whip, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n' });
    expect(refused.status).toBe(403);

    const spec = validateScenario(
      {
        name: 'simple-whip-server',
        duration: '12s',
        target: { whip, token },
        participants: {
          publisher: { count: 1, publish: { audio: true, video: { width: 320, height: 180, fps: 15 } } },
        },
        timeline: [{ at: '10s', do: 'leave', who: 'publisher[0]' }],
        thresholds: { action_failure_count_total: ['max == 0'] },
        // The test measures what crosses the endpoint, not this machine.
        guard: { cpuPercent: 100, sustainedSeconds: 3600 },
      },
      'simple-whip-server (inline)',
    );
    const plan = resolvePlan(spec, { file: 'simple-whip-server.scenario.ts' });
    const watching = new AbortController();
    const room = watchRoom(janus.apiUrl, watching.signal);
    let results: RunResults;
    try {
      results = await runScenario(plan, { outDir: tempOutDir('simple-whip-server'), reporters: [] });
      // One more look after the run: the leave's DELETE must have taken the publisher out of the room.
      await sleep(1_000);
    } finally {
      watching.abort();
    }
    const seen = await room;

    const [p] = results.participants;
    expect(results.participants).toHaveLength(1);
    expect(p!.connected, p!.error).toBe(true);
    expect(p!.error).toBeUndefined();
    const a = p!.aggregates;
    const join = results.actions.find((x) => x.do === 'join')!;
    const r = (v: number | undefined) => (v === undefined ? '-' : Math.round(v));
    console.log(
      `join ${join.durationMs} ms (connected ${r(a.time_to_connected_ms?.max)} ms after it began); ` +
        `video ${r(a.video_send_bitrate_kbps?.p50)} kbps at ${r(a.video_send_fps?.p50)} fps ${r(a.video_send_width_px?.p50)}x${r(a.video_send_height_px?.p50)}, ` +
        `audio ${r(a.audio_send_bitrate_kbps?.p50)} kbps, RTCP rtt ${a.rtcp_rtt_ms?.p50.toFixed(1)} ms (medians)`,
    );
    expect(join.ok, join.error).toBe(true);
    expect(a.video_send_bitrate_kbps?.p50 ?? 0).toBeGreaterThan(20);
    expect(a.video_send_fps?.p50 ?? 0).toBeGreaterThan(5);
    expect(a.audio_send_bitrate_kbps?.p50 ?? 0).toBeGreaterThan(5);
    // Janus reports on what it received (RTCP receiver reports): it got the stream, not just an offer.
    expect(a.rtcp_rtt_ms?.count ?? 0).toBeGreaterThan(0);
    expect(results.actions.filter((x) => x.do !== 'join').map((x) => [x.do, x.participant, x.ok, x.error])).toEqual([['leave', 'publisher[0]', true, undefined]]);
    expect(results.verdict).toBe('pass');

    // Janus's side, from its own API: the server's publisher was in the room, publishing, and left.
    const publishing = seen.filter((s) => s.participants.some((x) => x.display === LABEL && x.publisher));
    console.log(`Janus room ${ROOM}: ${seen.length} looks, the publisher in ${publishing.length}; last: ${JSON.stringify(seen.at(-1)?.participants)}`);
    expect(publishing.length).toBeGreaterThan(5);
    expect(seen.at(-1)!.participants.filter((x) => x.display === LABEL)).toEqual([]);
    // The server ended the session on the DELETE and keeps the endpoint for the next one.
    expect((await server.endpoints()).map((e) => [e.id, e.enabled])).toEqual([['harness', false]]);
  });
});
