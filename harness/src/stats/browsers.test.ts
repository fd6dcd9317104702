import { describe, expect, it } from 'vitest';
import { METRICS } from './catalogue.ts';
import { describeUnavailable, missingField, unavailableFor, unavailableMetrics } from './browsers.ts';

const ROSTER = [
  { id: 'hosts[0]', group: 'hosts', browser: 'chromium' as const },
  { id: 'guests[0]', group: 'guests', browser: 'firefox' as const },
  { id: 'guests[1]', group: 'guests', browser: 'firefox' as const },
];

describe('what a browser cannot measure', () => {
  it('names catalogue metrics, with the stats field Firefox lacks; Chromium lacks none', () => {
    for (const m of unavailableMetrics('firefox')) expect(Object.hasOwn(METRICS, m), m).toBe(true);
    expect(unavailableMetrics('chromium')).toEqual([]);
    expect(missingField('firefox', 'available_outgoing_bitrate_kbps')).toBe('candidate-pair availableOutgoingBitrate');
    expect(missingField('firefox', 'video_recv_fps')).toBeUndefined();
    expect(missingField('firefox', 'no_such_metric')).toBeUndefined();
  });

  it('lists the participants a filter selects that cannot measure the metric', () => {
    expect(unavailableFor('video_send_target_bitrate_kbps', {}, ROSTER)).toEqual([
      { browser: 'firefox', field: 'outbound-rtp targetBitrate', participants: ['guests[0]', 'guests[1]'] },
    ]);
    expect(unavailableFor('video_send_target_bitrate_kbps', { participant: 'guests[1]', kind: 'video' }, ROSTER)[0]!.participants).toEqual(['guests[1]']);
    expect(unavailableFor('video_send_target_bitrate_kbps', { group: 'hosts' }, ROSTER)).toEqual([]);
    expect(unavailableFor('video_send_target_bitrate_kbps', { browser: 'chromium' }, ROSTER)).toEqual([]);
    expect(unavailableFor('video_recv_fps', {}, ROSTER)).toEqual([]);
  });

  it('says so in a line', () => {
    expect(describeUnavailable(unavailableFor('available_outgoing_bitrate_kbps', { group: 'guests' }, ROSTER))).toBe(
      'not available in firefox (its stats have no candidate-pair availableOutgoingBitrate): guests[0], guests[1]',
    );
  });
});
