// Node's one way into the in-page stats agent (browser/agent.ts, `window.__rtcHarnessAgent`):
// every call the harness makes on the agent is a method here, typed by the agent's own interface.
// The functions below run in the page, so they read nothing but the page's globals and their
// arguments.
import type { Page } from 'puppeteer-core';
import type { CandidateRewriteRules, IceOverrides } from '../browser/rewrite.ts';
import type { StampOptions } from '../browser/stamping.ts';
import type { ReplaySettings } from '../browser/replay.ts';
import type { RawSnapshot } from '../stats/raw.ts';
// The agent declares `window.__rtcHarnessAgent`, which the evaluated functions read.
import type {} from '../browser/agent.ts';

/**
 * An init script, run after the agent's and before the page's scripts, that makes every video
 * receiver of the page count its frames instead of decoding them (the agent's setReceive).
 */
export const RECEIVE_BY_COUNTING_SCRIPT = "window.__rtcHarnessAgent?.setReceive('count');";

/**
 * An init script, run after the agent's and before the page's scripts, that makes the page's
 * camera a stamped source and/or reads the stamps of the video it receives (the agent's setStamps).
 */
export function stampsScript(options: StampOptions): string {
  return `window.__rtcHarnessAgent?.setStamps(${JSON.stringify(options)});`;
}

/**
 * An init script, run after the agent's and before the page's scripts, that makes the page's
 * camera the replay camera (the agent's setReplay).
 */
export function replayScript(settings: ReplaySettings): string {
  return `window.__rtcHarnessAgent?.setReplay(${JSON.stringify(settings)});`;
}

/** The part of a page the bridge needs. */
export type AgentPage = Pick<Page, 'evaluate'>;

export class AgentBridge {
  readonly #page: AgentPage;

  constructor(page: AgentPage) {
    this.#page = page;
  }

  /**
   * Every connection's stats since the last collect; null when the page has no agent (never
   * installed, or a navigation under way).
   */
  collect(): Promise<RawSnapshot | null> {
    return this.#page.evaluate(() => window.__rtcHarnessAgent?.collect() ?? null);
  }

  /** Records a named moment now (the agent times first frames from 'join'); a page without the agent ignores it. */
  async mark(name: string): Promise<void> {
    await this.#page.evaluate((n: string) => window.__rtcHarnessAgent?.mark(n), name);
  }

  /** Rewrites the remote candidates and ICE server URLs the page receives from now on; null clears. */
  async setCandidateRewrite(rules: CandidateRewriteRules | null): Promise<void> {
    await this.#page.evaluate((r: CandidateRewriteRules | null) => window.__rtcHarnessAgent!.setCandidateRewrite(r), rules);
  }

  /** Overrides the ICE policy and TURN credentials of the page's connections from now on; null clears. */
  async setIceOverrides(overrides: IceOverrides | null): Promise<void> {
    await this.#page.evaluate((o: IceOverrides | null) => window.__rtcHarnessAgent!.setIceOverrides(o), overrides);
  }
}
