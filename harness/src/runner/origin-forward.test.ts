// The loopback forward that makes a remote http call page a secure context: real sockets on
// loopback (the remote host is a local HTTP server here).
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardTcp, insecureRemoteOrigin } from './origin-forward.ts';

describe('origin forward', () => {
  it('forwards only http pages from another host', () => {
    expect(insecureRemoteOrigin('http://10.0.0.5:3000/?room={room}&name={name}')?.origin).toBe('http://10.0.0.5:3000');
    expect(insecureRemoteOrigin('http://sfu.lan/call/{room}')?.origin).toBe('http://sfu.lan');
    expect(insecureRemoteOrigin('https://app.example/{room}')).toBeNull();
    expect(insecureRemoteOrigin('http://127.0.0.1:3000/')).toBeNull();
    expect(insecureRemoteOrigin('http://localhost:3000/')).toBeNull();
  });

  it('carries requests both ways and closes its connections', async () => {
    const server = createServer((req, res) => res.end(`hello ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const forward = await forwardTcp('127.0.0.1', port);
    try {
      expect(forward.port).not.toBe(port);
      const res = await fetch(`http://127.0.0.1:${forward.port}/?room=a`);
      expect(await res.text()).toBe('hello /?room=a');
    } finally {
      await forward.close();
      server.close();
    }
    await expect(fetch(`http://127.0.0.1:${forward.port}/`)).rejects.toThrow();
  });
});
