// The placeholders a target URL (the call page, a WHIP or WHEP endpoint) may hold for each
// participant: {room} and {name}, filled in URL-encoded. One place, so the preflight check and
// the pages reach the same address.

/** `template` with this participant's {room} and {name} filled in. */
export function fillUrlTemplate(template: string, p: { room: string; name: string }): string {
  return template.replaceAll('{room}', encodeURIComponent(p.room)).replaceAll('{name}', encodeURIComponent(p.name));
}
