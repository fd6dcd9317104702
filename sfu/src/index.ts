// The SFU's public surface, for the harness and tests.
export { startSfu, type Sfu, type SfuEvents, type SfuStats } from './server.ts';
export type { SfuOptions, ResolvedSfuOptions } from './options.ts';
export type { Logger, LogLevel } from './logger.ts';
export { createRoomToken, verifyRoomToken, type RoomTokenOptions } from './tokens.ts';
export { createTurnCredentials, type TurnOptions, type TurnCredentials } from './turn.ts';
export { PROTOCOL_LIMITS } from './protocol.ts';
