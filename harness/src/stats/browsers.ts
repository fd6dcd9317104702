// What each participant browser's getStats() reports. Firefox has no field for a few figures
// Chromium gives; their metrics are "not available" for a Firefox participant: absent from its
// samples, listed in results.json, and named by any threshold that selects it. Never a zero.
import { isMetricName, type MetricName } from './catalogue.ts';

export type BrowserName = 'chromium' | 'firefox';

export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox'];

/** Per browser, the metrics its stats cannot give, each with the stats field it lacks. */
export const UNAVAILABLE_METRICS: Readonly<Record<BrowserName, Readonly<Partial<Record<MetricName, string>>>>> = {
  chromium: {},
  // Measured with Firefox ESR 153: these fields are missing from its reports.
  firefox: {
    video_send_target_bitrate_kbps: 'outbound-rtp targetBitrate',
    video_send_quality_limited_bandwidth_percent: 'outbound-rtp qualityLimitationDurations',
    video_send_quality_limited_cpu_percent: 'outbound-rtp qualityLimitationDurations',
    video_send_quality_limited_other_percent: 'outbound-rtp qualityLimitationDurations',
    available_outgoing_bitrate_kbps: 'candidate-pair availableOutgoingBitrate',
  },
};

/** The stats field `browser` lacks to measure `metric`; undefined when it measures it. */
export function missingField(browser: BrowserName, metric: string): string | undefined {
  return isMetricName(metric) ? UNAVAILABLE_METRICS[browser][metric] : undefined;
}

/** The metrics `browser` cannot measure, in catalogue order of declaration. */
export function unavailableMetrics(browser: BrowserName): MetricName[] {
  return Object.keys(UNAVAILABLE_METRICS[browser]) as MetricName[];
}

/** A participant as far as availability goes. */
export interface BrowserOf {
  id: string;
  group: string;
  browser: BrowserName;
}

/** The participants a threshold's tag filter selects that cannot measure `metric`, by browser. */
export interface Unavailability {
  browser: BrowserName;
  /** The stats field that browser lacks. */
  field: string;
  participants: string[];
}

/**
 * Which of `participants` selected by `filter` (its group, participant and browser tags; the
 * stream tags select within a participant) cannot measure `metric`. Pure.
 */
export function unavailableFor(metric: string, filter: Readonly<Record<string, string>>, participants: readonly BrowserOf[]): Unavailability[] {
  const out = new Map<BrowserName, Unavailability>();
  for (const p of participants) {
    if (filter.group !== undefined && filter.group !== p.group) continue;
    if (filter.participant !== undefined && filter.participant !== p.id) continue;
    if (filter.browser !== undefined && filter.browser !== p.browser) continue;
    const field = missingField(p.browser, metric);
    if (field === undefined) continue;
    let entry = out.get(p.browser);
    if (!entry) out.set(p.browser, (entry = { browser: p.browser, field, participants: [] }));
    entry.participants.push(p.id);
  }
  return [...out.values()];
}

/** "not available in firefox (its stats have no outbound-rtp targetBitrate): presenter[0], presenter[1]" */
export function describeUnavailable(list: readonly Unavailability[]): string {
  return list.map((u) => `not available in ${u.browser} (its stats have no ${u.field}): ${u.participants.join(', ')}`).join('; ');
}
