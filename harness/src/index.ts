// rtc-harness: what a scenario file imports. `import { defineScenario, profiles } from 'rtc-harness'`.
export { defineScenario } from './scenario/define.ts';
export { profiles } from './network/profiles.ts';
export { definePageAdapter } from './pages/adapter.ts';
export { referencePage } from './pages/reference.ts';
export { janusVideoRoom } from './pages/janus-videoroom.ts';
export type { CameraChange, JoinResult, LayerChoice, Page, PageAdapter, PageContext, PageScript } from './pages/adapter.ts';
export type {
  ActionName,
  Bitrate,
  BrowserName,
  Duration,
  EncodingSpec,
  ExternalTurnSpec,
  GroupSpec,
  GroupTurnSpec,
  MediaSource,
  MetricName,
  NetworkSpec,
  PublishSpec,
  ScenarioSpec,
  TargetSpec,
  ThresholdEntry,
  ThresholdSelector,
  Thresholds,
  TimelineAction,
  TraceNetworkSpec,
  TurnSpec,
  TurnTransport,
  VideoCodec,
  VideoPublishSpec,
  Who,
} from './scenario/types.ts';
export type { ProfileName } from './network/profiles.ts';
export type { BurstLoss, LinkProfile, LinkSettings, LinkUpdate } from './network/types.ts';
