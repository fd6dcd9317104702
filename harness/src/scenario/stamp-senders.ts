// Numbers of the participants that send stamped video (publish.video.source 'stamped'): their
// position among them in the whole plan (groups in order, then by index), counted before the plan
// is split into shards, so that every shard numbers every sender alike and no two share a number.
// The number travels in every frame (8 bits); a viewer's stats name the sender by it.
import type { PlannedParticipant } from './plan.ts';

/** Distinct sender numbers a frame can carry. */
export const STAMP_SENDER_NUMBERS = 256;

/** The stamped senders' ids in plan order: the position is the number (past 255 they wrap and share). */
export function stampSenderIds(participants: readonly PlannedParticipant[]): string[] {
  return participants.filter((p) => p.publish.video?.source === 'stamped').map((p) => p.id);
}

/** Sender number -> participant id; a number two senders share (past 255) names the first. */
export function stampSenderMap(ids: readonly string[]): Map<number, string> {
  const map = new Map<number, string>();
  ids.forEach((id, k) => {
    const n = k % STAMP_SENDER_NUMBERS;
    if (!map.has(n)) map.set(n, id);
  });
  return map;
}

/** Participant id -> the number it stamps in its frames; senders of stamped video only. */
export function stampSenderNumbers(ids: readonly string[]): Map<string, number> {
  return new Map(ids.map((id, k) => [id, k % STAMP_SENDER_NUMBERS]));
}
