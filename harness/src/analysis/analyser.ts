// What every analysis of a run's samples looks like. The runner feeds one AnalysisPipeline
// (pipeline.ts) with four kinds of input, in the order they happen; each analyser takes what it
// needs from them and returns the metric points it derives. An analyser never reads another's
// state: what several need (what each page has seen, observations.ts) is built once by the
// pipeline and handed to all of them as an input.
import type { NetworkChange } from '../results/schema.ts';
import type { Point, Sample } from '../stats/types.ts';
import type { Expectation } from './effects.ts';
import type { ParticipantSeen, RestartCompleted } from './observations.ts';

/** What the runner's actions tell the analysis: who is in which room, and what each action should make the others see. */
export type ActionEvent =
  /** The participant finished joining `room` (joined) or started leaving it, at `atMs` (unix ms). */
  | { type: 'presence'; participant: string; room: string; joined: boolean; atMs: number }
  /** An action started: what it should make the participants in the actor's room see. */
  | { type: 'expect'; expectation: Expectation }
  /** An action of the participant failed (the page refused it). */
  | { type: 'failed'; participant: string }
  /** A timeline 'layers' action asked for spatial layer `spatial` at `atMs` (unix ms). */
  | { type: 'layersRequested'; participant: string; atMs: number; spatial: number };

/** Read-only: what each participant's page has seen so far. */
export interface SeenByPages {
  get(participant: string): ParticipantSeen | undefined;
}

/** One sample, with what the pipeline made of it for everyone. */
export interface SampleInput {
  sample: Sample;
  /** Every page's observations, this sample included. */
  seen: SeenByPages;
  /** The ICE restarts this sample completed. */
  restartsCompleted: readonly RestartCompleted[];
}

/** The run ended: what is still awaited is decided now. */
export interface FinishInput {
  /** Unix ms. */
  endMs: number;
  seen: SeenByPages;
}

/** Every method is optional: an analyser implements what it listens to. Points returned go to the series store and the reporters. */
export interface Analyser {
  /** Names the analyser in the log when it throws. */
  readonly name: string;
  /** The run's clock started, unix ms. */
  onStart?(startMs: number): void;
  onLinkChange?(change: NetworkChange): void;
  onAction?(event: ActionEvent): void;
  onSample?(input: SampleInput): Point[];
  finish?(input: FinishInput): Point[];
}
