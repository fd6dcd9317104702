// What the HTML report's page script receives: charts already reduced to aligned arrays, so the
// page only draws. Shared by the builder (Node) and the page script (browser): types only.

export interface ChartSeries {
  label: string;
  /** One per x; null where nothing was measured (a gap). */
  values: (number | null)[];
  /** Drawn thicker and in black: the group mean over its participants. */
  emphasis?: boolean;
  /** Drawn dashed (the uplink of a network setting). */
  dashed?: boolean;
}

export interface ChartData {
  /** Unique in the page; tests find charts by it. */
  id: string;
  title: string;
  /** The y axis label, with its unit. */
  yLabel: string;
  /** Seconds from the run's start (the timeline's clock), ascending. */
  x: number[];
  series: ChartSeries[];
  /** Each value holds until the next x (settings, layers), instead of a line between measurements. */
  stepped?: boolean;
  /** A null is a value ('unlimited'), not a missing measurement: leave a gap rather than join across it. */
  showGaps?: boolean;
  /** Which participants' timeline actions to mark: their ids, or 'all'. */
  markersFor: string[] | 'all';
}

export interface ChartSection {
  id: string;
  title: string;
  /** A line under the title: what the lines are. */
  note?: string;
  charts: ChartData[];
}

/** A timeline action, drawn as a vertical line on the charts of its participants. */
export interface Marker {
  /** Seconds from the run's start. */
  t: number;
  label: string;
  ok: boolean;
  participants: string[];
}

export interface ReportPayload {
  /** The x range every chart shares, seconds from the run's start. */
  xMin: number;
  xMax: number;
  sections: ChartSection[];
  markers: Marker[];
}

/** What the page exposes for tests and tools: window.rtcReport. */
export interface RenderedReport {
  charts: { id: string; series: number; points: number; width: number; height: number }[];
  errors: string[];
}
