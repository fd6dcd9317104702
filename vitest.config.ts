import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests next to the code run in parallel; end-to-end tests start real
// processes (mediasoup workers, Chromium, coturn, Prometheus) and run one file at a time after
// the unit tests, because this machine has 2 cores and timing-sensitive media would starve.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/src/**/*.test.ts', 'sfu/src/**/*.test.ts', 'sfu/client/src/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // Prints the Chromium, mediasoup and coturn versions the log's results come from.
          globalSetup: ['test/support/versions.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
