import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoturnLogReader, summarizeCoturnLog } from './log.ts';

// Lines as coturn 4.6.1 writes them with simple-log and verbose (from a run on this machine).
const LOG = `
2: : session 000000000000000003: realm <rtc-harness> user <>: incoming packet message processed, error 401: Unauthorized
2: : IPv4. Local relay addr: 127.0.0.2:49188
2: : session 000000000000000003: new, realm=<rtc-harness>, username=<1795692097:51a2c0c5>, lifetime=600
2: : session 000000000000000003: realm <rtc-harness> user <1795692097:51a2c0c5>: incoming packet ALLOCATE processed, success
2: : session 000000000000000003: realm <rtc-harness> user <1795692097:51a2c0c5>: incoming packet CREATE_PERMISSION processed, success
2: : ERROR: check_stun_auth: Cannot find credentials of user <1795688107:expired[0]>
2: : session 001000000000000004: realm <rtc-harness> user <1795688107:expired[0]>: incoming packet message processed, error 401: Unauthorized
4: : session 000000000000000003: usage: realm=<rtc-harness>, username=<1795692097:51a2c0c5>, rp=226, rb=101037, sp=31, sb=2816
4: : session 000000000000000003: peer usage: realm=<rtc-harness>, username=<1795692097:51a2c0c5>, rp=27, rb=2274, sp=222, sb=99588
4: : session 000000000000000003: closed (2nd stage), user <1795692097:51a2c0c5> realm <rtc-harness> origin <>, local 127.0.0.1:43478, remote 127.0.0.1:37906, reason: TCP connection closed by client (callback)
`;

describe('coturn log summary', () => {
  it('counts allocations, refusals with credentials, relayed bytes and closed sessions', () => {
    expect(summarizeCoturnLog(LOG)).toEqual({
      allocations: 1,
      refused: { '401': 1 },
      refusedByUser: { '1795688107:expired[0]': { '401': 1 } },
      relayedBytes: 2274 + 99588,
      sessions: 1,
    });
  });

  it('does not count the first challenge of every allocation as a refusal', () => {
    expect(summarizeCoturnLog(LOG.split('\n').slice(0, 2).join('\n')).refused).toEqual({});
    expect(summarizeCoturnLog('')).toEqual({ allocations: 0, refused: {}, refusedByUser: {}, relayedBytes: 0, sessions: 0 });
  });

  it('follows a growing file, holding back a line still being written', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rtc-coturn-log-')), 'coturn.log');
    const reader = new CoturnLogReader(path);
    expect(reader.read().allocations).toBe(0);
    const lines = LOG.split('\n');
    const allocate = lines.find((l) => l.includes('ALLOCATE processed, success'))!;
    appendFileSync(path, `${allocate}\n${allocate.slice(0, 40)}`);
    expect(reader.read().allocations).toBe(1);
    appendFileSync(path, `${allocate.slice(40)}\n`);
    expect(reader.read().allocations).toBe(2);
    appendFileSync(path, lines.filter((l) => l.includes('expired[0]')).join('\n') + '\n');
    expect(reader.read().refusedByUser).toEqual({ '1795688107:expired[0]': { '401': 1 } });
  });

  it('takes a user named __proto__ or constructor as a plain key (no prototype pollution)', () => {
    const line = (user: string) => `2: : session 1: realm <r> user <${user}>: incoming packet message processed, error 401: Unauthorized`;
    const summary = summarizeCoturnLog([line('__proto__'), line('constructor'), line('__proto__')].join('\n'));
    expect(({} as Record<string, unknown>)['401']).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(Object.keys(summary.refusedByUser).sort()).toEqual(['__proto__', 'constructor']);
    expect(summary.refusedByUser['__proto__']!['401']).toBe(2);
    expect(JSON.parse(JSON.stringify(summary)).refusedByUser.constructor).toEqual({ '401': 1 });
  });
});
