// The dashboards we ship, by file name, and the command that writes them into dashboards/:
//   npx tsx harness/src/prometheus/dashboards/build.ts
// A unit test fails when the files differ from what this produces, so edit the definitions
// (quality.ts, layers.ts, operations.ts) and rebuild rather than editing the JSON.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard, type DashboardSpec } from './grafana.ts';
import { comparison, sfu } from './operations.ts';
import { network, simulcast } from './layers.ts';
import { overview, participant } from './quality.ts';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../../../dashboards/', import.meta.url));

export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  'call-quality.json': overview,
  'participant.json': participant,
  'simulcast.json': simulcast,
  'network.json': network,
  'sfu.json': sfu,
  'comparison.json': comparison,
};

/** File name -> the JSON text written for it. */
export function renderDashboards(): Map<string, string> {
  return new Map(Object.entries(DASHBOARDS).map(([file, spec]) => [file, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, text] of renderDashboards()) {
    writeFileSync(join(DASHBOARDS_DIR, file), text);
    process.stdout.write(`wrote ${join('dashboards', file)}\n`);
  }
}
