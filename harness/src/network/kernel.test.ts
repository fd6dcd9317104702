import { describe, expect, it } from 'vitest';
import { detectKernelShaping } from './kernel.ts';

describe('detectKernelShaping', () => {
  it('answers with a reason a user can act on, leaving nothing behind', async () => {
    const result = await detectKernelShaping({ timeoutMs: 5_000 });
    if (result.available) {
      expect(result.detail).toMatch(/netem/);
    } else {
      expect(result.reason.length).toBeGreaterThan(20);
      if (process.platform === 'linux') expect(result.checks[0]).toBe('platform: linux');
      // Root without netem (this project's CI machine) is told about the missing qdisc.
      if (process.getuid?.() === 0 && result.checks.some((c) => c.includes('qdisc kind is unknown'))) {
        expect(result.reason).toMatch(/no netem qdisc|not loaded/);
      }
    }
  });
});
