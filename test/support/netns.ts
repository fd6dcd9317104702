// Hosts of their own on one machine: network namespaces joined by a bridge, each with its own
// address, as separate machines on one LAN would be. A process started with `exec(host)` as its
// prefix sees only its namespace's interfaces (its loopback and its address). Needs root (CI and
// this machine run as root); the names carry the test's pid, so parallel runs do not collide, and
// `remove()` deletes everything it made.
import { execFileSync } from 'node:child_process';

export interface Lan {
  /** Each host's address, in the order the hosts were asked for. */
  addresses: string[];
  /** Command prefix that runs a program on host `i`. */
  exec(i: number): string[];
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** `hosts` namespaces on 10.213.<subnet>.0/24 (addresses .1, .2, ...), the bridge at .254. */
export function createLan(hosts: number, subnet = 7): Lan {
  const tag = `${process.pid % 100000}`;
  const bridge = `rtcbr${tag}`;
  const names = Array.from({ length: hosts }, (_, i) => `rtc-${tag}-${i + 1}`);
  const addresses = names.map((_, i) => `10.213.${subnet}.${i + 1}`);
  const remove = () => {
    for (const ns of names) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Not made, or gone already.
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // Not made, or gone already.
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `10.213.${subnet}.254/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    names.forEach((ns, i) => {
      const veth = `rtcv${tag}x${i + 1}`;
      ip('netns', 'add', ns);
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', veth, 'master', bridge, 'up');
      ip('-n', ns, 'addr', 'add', `${addresses[i]}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    remove();
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`cannot make network namespaces (needs root and iproute2): ${stderr || (err as Error).message}`);
  }
  return { addresses, exec: (i) => ['ip', 'netns', 'exec', names[i]!], remove };
}
