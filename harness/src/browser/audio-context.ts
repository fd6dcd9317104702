// The agent's one audio context per page, shared by stamped microphones (stamped-audio.ts) and
// tone readers (tone-reader.ts): each context is an audio rendering thread and its buffers in the
// renderer (bench:capacity, pairs of 4 stamped: renderers 525 MiB of PSS with two contexts a
// page, 440 with one), and one serves both at once.
const contexts = new WeakMap<object, AudioContext>();

/** The page's agent audio context, created (and resumed) on first use. */
export function pageAudioContext(win: Window & typeof globalThis): AudioContext {
  let ctx = contexts.get(win);
  if (!ctx || ctx.state === 'closed') {
    ctx = new win.AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
    // Started without a user gesture: the harness's browsers allow it (--autoplay-policy).
    void ctx.resume().catch(() => undefined);
    contexts.set(win, ctx);
  }
  return ctx;
}
