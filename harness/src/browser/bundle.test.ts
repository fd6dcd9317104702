// The bundled agent script, run in a bare V8 context. The stand-in window below only has what a
// page without WebRTC would have, or a minimal RTCPeerConnection: Chromium's real one is
// exercised in test/e2e/stats-agent.test.ts; this covers what that cannot cheaply (no WebRTC at
// all, the script installed twice, a constructor that throws).
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { RtcHarnessAgent } from './agent.ts';
import { buildAgentScript } from './bundle.ts';

function bareWindow(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const win: Record<string, unknown> = {
    performance: { timeOrigin: 1_700_000_000_000, now: () => 1234.5 },
    // The agent's clock is the wall clock (page-clock.ts).
    Date: { now: () => 1_700_000_001_234 },
    console: { error: () => {} },
    ...extra,
  };
  win.window = win;
  return win;
}

describe('buildAgentScript', () => {
  it('bundles once and hands out the same script', async () => {
    const a = await buildAgentScript();
    expect(a).toBe(await buildAgentScript());
    // Installed in every page before its scripts: it must stay small (~37 kB with stamped video
    // and audio, the tone worklet carried as a string, and the replay camera).
    expect(a.length).toBeLessThan(40_000);
    expect(a).not.toMatch(/\bimport\b|\brequire\(/);
  });

  it('installs on a page without WebRTC and collects an empty snapshot', async () => {
    const win = bareWindow();
    runInNewContext(await buildAgentScript(), win);
    const agent = win.__rtcHarnessAgent as RtcHarnessAgent;
    agent.mark('join');
    agent.mark('join', 5); // The first mark wins.
    const snap = await agent.collect();
    expect(snap).toMatchObject({ v: 1, tMs: 1_700_000_001_234, pcs: [], events: [], marks: { join: 1_700_000_001_234 } });
    expect(() => agent.mark('')).toThrow('non-empty name');
  });

  it('installs once even when the script runs twice, and wraps a constructor that throws transparently', async () => {
    class FakePc extends EventTarget {
      static generateCertificate = () => 'cert';
      connectionState = 'new';
      iceConnectionState = 'new';
      constructor(config?: { fail?: boolean }) {
        super();
        if (config?.fail) throw new TypeError('bad configuration');
      }
      getStats() {
        return Promise.resolve(new Map());
      }
      close() {}
    }
    const win = bareWindow({ RTCPeerConnection: FakePc, EventTarget });
    const script = await buildAgentScript();
    runInNewContext(script, win);
    const first = win.__rtcHarnessAgent;
    const wrapped = win.RTCPeerConnection as typeof FakePc;
    runInNewContext(script, win);
    expect(win.__rtcHarnessAgent).toBe(first);
    expect(win.RTCPeerConnection).toBe(wrapped);
    expect(wrapped).not.toBe(FakePc);
    expect(wrapped.generateCertificate()).toBe('cert');
    expect(() => new wrapped({ fail: true })).toThrow('bad configuration');
    const pc = new wrapped();
    expect(pc).toBeInstanceOf(FakePc);
    const snap = await (first as RtcHarnessAgent).collect();
    expect(snap.pcs.map((p) => p.id)).toEqual(['pc0']);
  });
});
