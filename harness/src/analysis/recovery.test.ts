import { describe, expect, it } from 'vitest';
import { getProfile } from '../network/index.ts';
import { resolveLinkProfile } from '../network/settings.ts';
import type { Sample, SampleEvent } from '../stats/types.ts';
import { AnalysisPipeline } from './pipeline.ts';
import { RecoveryLog } from './recovery.ts';

const START = 1_700_000_000_000;
/** The link's settings do not matter here, only its outages. */
const profile = resolveLinkProfile(getProfile('wifi'));

function sample(atMs: number, extra: Partial<Sample> = {}): Sample {
  return { t: START + atMs, participant: 'roaming[0]', group: 'roaming', values: {}, streams: [], ...extra };
}
const event = (atMs: number, pc: string, type: SampleEvent['type'], state: string): SampleEvent => ({ t: START + atMs, pc, type, state });

describe('RecoveryLog', () => {
  it('times detection, the page\'s ICE restart and media flowing again from the outage\'s start', () => {
    const log = new RecoveryLog();
    const pipeline = new AnalysisPipeline([log]);
    pipeline.start(START);
    pipeline.linkChange({ atMs: -5, participant: 'roaming[0]', profile }); // its initial setting, not an outage
    pipeline.linkChange({ atMs: 7000, participant: 'roaming[0]', profile, outageMs: 6000 });
    const feed = (s: Sample) => pipeline.sample(s);
    expect(feed(sample(7500, { inboundMedia: { lastPacketMs: START + 7010, interruptedSinceMs: START + 7010 } }))).toEqual([]);
    const detected = feed(
      sample(12_800, {
        inboundMedia: { lastPacketMs: START + 7010, interruptedSinceMs: START + 7010 },
        events: [event(12_600, 'pc0', 'connection', 'disconnected'), event(12_610, 'pc0', 'iceRestart', 'started'), event(12_650, 'pc1', 'iceRestart', 'started')],
      }),
    );
    expect(detected).toEqual([{ metric: 'outage_detection_seconds', value: 5.6, t: START + 12_600, tags: { group: 'roaming', participant: 'roaming[0]' } }]);
    const back = feed(
      sample(13_800, {
        values: { media_interruption_seconds: 6.005 },
        inboundMedia: { lastPacketMs: START + 13_790 },
        events: [event(13_100, 'pc0', 'iceRestart', 'completed'), event(13_120, 'pc1', 'iceRestart', 'completed')],
      }),
    );
    expect(back).toEqual([{ metric: 'outage_recovery_seconds', value: 6.015, t: START + 13_015, tags: { group: 'roaming', participant: 'roaming[0]' } }]);
    expect(log.recoveries).toEqual([
      {
        participant: 'roaming[0]',
        atMs: 7000,
        outageMs: 6000,
        detectionSeconds: 5.6,
        iceRestartSeconds: 5.61,
        iceRestartCompletedSeconds: 6.12,
        mediaResumedSeconds: 6.015,
      },
    ]);
    // Done: later samples add nothing.
    expect(feed(sample(15_000, { events: [event(14_000, 'pc0', 'connection', 'disconnected')] }))).toEqual([]);
  });

  it('leaves null what did not happen: no restart, and media that never came back', () => {
    const log = new RecoveryLog({ followMs: 2000 });
    const pipeline = new AnalysisPipeline([log]);
    pipeline.start(START);
    pipeline.linkChange({ atMs: 1000, participant: 'roaming[0]', profile, outageMs: 3000 });
    for (const s of [
      sample(2000, { inboundMedia: { lastPacketMs: START + 1005, interruptedSinceMs: START + 1005 } }),
      sample(7000, { inboundMedia: { lastPacketMs: START + 1005, interruptedSinceMs: START + 1005 } }),
    ]) {
      pipeline.sample(s);
    }
    expect(log.recoveries[0]).toMatchObject({ detectionSeconds: null, iceRestartSeconds: null, iceRestartCompletedSeconds: null, mediaResumedSeconds: null });
  });
});
