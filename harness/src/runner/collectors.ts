// One stats collector per joined participant. Each sample goes to samples.ndjson, through the
// analysis pipeline (which hears of every network change before the samples taken after it), to
// the series store and the reporters. At the end every live page gives one last sample, so the
// final seconds count, and what the analyses still awaited is decided.
import { StatsCollector } from '../participants/stats-collector.ts';
import { samplePoints } from '../stats/types.ts';
import type { RunContext } from './context.ts';
import type { ParticipantRecord } from './summary.ts';
import type { Task } from './tasks.ts';

export class Collectors implements Task {
  readonly name = 'stats collectors';
  readonly #run: RunContext;
  /** Link changes already handed to the analysis. */
  #changesSeen = 0;

  constructor(run: RunContext) {
    this.#run = run;
  }

  async start(): Promise<void> {
    // Collectors start as participants join (startFor).
  }

  /** Starts collecting the participant's stats, once. */
  startFor(rec: ParticipantRecord): void {
    const run = this.#run;
    if (rec.collector || !rec.participant) return;
    const agent = rec.participant.agent;
    const collector = new StatsCollector({
      snapshots: () => agent.collect(),
      participant: rec.plan.id,
      group: rec.plan.group,
      browser: rec.plan.browser ?? 'chromium',
      intervalMs: run.plan.statsIntervalMs,
      stampSenders: run.stampSenders,
    });
    rec.collector = collector;
    collector.on('sample', (sample) => {
      run.output.appendSample(sample);
      const changes = run.links?.changes ?? [];
      while (this.#changesSeen < changes.length) run.analysis.linkChange(changes[this.#changesSeen++]!);
      run.record([...samplePoints(sample), ...run.analysis.sample(sample)], sample);
      run.latest.set(sample.participant, sample);
      // A participant can connect and leave between two samples: its connections are then seen
      // closed, and only its time to connect says that it was connected.
      if (sample.values.connected === 1 || sample.values.time_to_connected_ms !== undefined) rec.connected = true;
      const cpuLimited = sample.streams.some((s) => (s.values.video_send_quality_limited_cpu_percent ?? 0) > 50);
      run.guard.noteCpuLimited(rec.plan.id, cpuLimited, sample.t);
    });
    collector.on('error', (err) => {
      // The message names the collection and why it stopped: 'stats collection for <id> stopped: ...'.
      rec.error ??= err.message;
      run.log('error', `${rec.plan.id}: ${rec.error}; its measurements so far are kept`);
    });
    collector.start();
  }

  async stop(): Promise<void> {
    const records = [...this.#run.records.values()];
    await Promise.allSettled(records.map((r) => (r.collector?.running ? r.collector.collectNow() : undefined)));
    await Promise.allSettled(records.map((r) => r.collector?.stop()));
    // Effects still awaited are decided now, before the thresholds see them.
    this.#run.record(this.#run.analysis.finish(this.#run.endMs ?? Date.now()));
  }
}
