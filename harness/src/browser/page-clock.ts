// The page's times on the run's clock: the wall clock (unix ms), which the runner, the SFU and the
// reference page's own event log read too. Not performance.timeOrigin + performance.now(): that is
// the wall clock at the page's start carried on by the monotonic clock, and the two part while the
// system clock is slewed. Measured in a rehearsal here: for about three minutes the wall clock ran
// 0.5 % fast, so 28 s into a run an ICE restart the agent timed that way read 120 ms *before* the
// runner's action that caused it, and the effect went unseen.
//
// Times the browser gives on the performance clock (requestVideoFrameCallback, an audio context's
// output timestamp) are put on the wall clock through the offset between the two at the moment of
// conversion, so a slew moves both ends of a latency alike. Date.now() has 1 ms steps; every figure
// timed with it is tens of ms or more.

/** Now on the wall clock, unix ms. */
export function wallNowMs(win: Window & typeof globalThis): number {
  return win.Date.now();
}

/** A performance.now()-domain time of this page on the wall clock, unix ms. */
export function wallMsOf(win: Window & typeof globalThis, performanceMs: number): number {
  return performanceMs + (win.Date.now() - win.performance.now());
}
