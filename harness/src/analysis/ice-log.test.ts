import { describe, expect, it } from 'vitest';
import type { Sample } from '../stats/types.ts';
import { IceLog } from './ice-log.ts';
import { AnalysisPipeline } from './pipeline.ts';

const sample = (participant: string, extra: Partial<Sample>): Sample => ({ t: 0, participant, group: 'g', values: {}, streams: [], ...extra });

describe('IceLog', () => {
  it('keeps the last selected pairs and the relayed bytes', () => {
    const log = new IceLog();
    const pipeline = new AnalysisPipeline([log]);
    pipeline.sample(sample('a', { pairs: [{ pc: 'pc1', localType: 'host', protocol: 'udp' }] }));
    pipeline.sample(sample('a', {}));
    pipeline.sample(
      sample('a', {
        pairs: [
          { pc: 'pc1', localType: 'prflx', protocol: 'udp', relayProtocol: 'tcp', bytesSent: 100, bytesReceived: 20 },
          { pc: 'pc2', localType: 'relay', protocol: 'udp', relayProtocol: 'tcp', bytesSent: 5, bytesReceived: 500 },
        ],
      }),
    );
    expect(log.result('a')).toMatchObject({ path: 'relay over tcp', relayed: true, localType: 'prflx', relayProtocol: 'tcp', relayedBytes: 625 });
    expect(log.has('b')).toBe(false);
    expect(log.result('b')).toBeNull();
  });

  it('counts candidate errors and says why a participant never connected', () => {
    const log = new IceLog();
    const pipeline = new AnalysisPipeline([log]);
    const error = { t: 1, pc: 'pc1', url: 'turn:127.0.0.1:3478?transport=tcp', errorCode: 401, errorText: 'Unauthorized' };
    pipeline.sample(sample('x', { candidateErrors: [error, { ...error, pc: 'pc2' }] }));
    expect(log.result('x')!.candidateErrors).toEqual([{ url: error.url, errorCode: 401, errorText: 'Unauthorized', count: 2 }]);
    expect(log.failureReason('x')).toBe('ICE failed: TURN allocation refused (401 Unauthorized: expired or wrong credentials ×2)');
    pipeline.sample(sample('y', { candidateErrors: [{ ...error, errorCode: 701, errorText: 'Failed to establish connection' }] }));
    expect(log.failureReason('y')).toMatch(/^ICE failed: no TURN server reachable \(turn:127.0.0.1:3478\?transport=tcp\) and no direct path$/);
    // The server's log speaks when the page could not (Chromium holds a 401 back).
    expect(log.failureReason('y', { '401': 4 })).toBe('ICE failed: TURN allocation refused (401 Unauthorized: expired or wrong credentials ×4)');
    expect(log.failureReason('z')).toBeUndefined();
  });
});
