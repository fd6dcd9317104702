// The one error type signaling replies are made of: a protocol ErrorCode plus a message that says
// what was wrong and what to do. Anything else that escapes a handler is reported as `internal`.
import type { ErrorCode, ErrorInfo } from './protocol.ts';
import { errorMessage } from './logger.ts';

export class SignalingError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
  }
}

/**
 * Runs a mediasoup call whose failure means the client's input was wrong (bad RTP or DTLS
 * parameters, an unsupported codec...), so that it becomes a `bad_request` reply naming `what`.
 */
export async function clientInput<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SignalingError) throw error;
    throw new SignalingError('bad_request', `${what} rejected by mediasoup: ${errorMessage(error)}`);
  }
}

/** The reply for anything a handler threw. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof SignalingError) return { code: error.code, message: error.message };
  return { code: 'internal', message: `internal error: ${errorMessage(error)}` };
}
