import type { ScenarioSpec } from './types.ts';

/**
 * Declares a scenario; the default export of a *.scenario.ts file. It returns the spec unchanged:
 * it exists for the types (group names are inferred from `participants`, so a misspelt group in
 * the timeline is a compile error). The harness validates the spec when it loads the file.
 */
export function defineScenario<const G extends string>(spec: ScenarioSpec<G>): ScenarioSpec<G> {
  return spec;
}
