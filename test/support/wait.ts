// Waiting in tests for something the code under test does on its own time (a worker replaced, a
// page decoding, a process gone): poll, bounded, and fail naming what never came.

/**
 * Calls `check` every `everyMs` until it gives something other than undefined, null or false, and
 * returns that; throws `timed out after <timeoutMs> ms waiting for <what>` once the time is over.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
