// A page that makes a peer-to-peer call between two RTCPeerConnections inside itself (fake camera
// and microphone), served from a real http origin on 127.0.0.1 so getUserMedia is allowed. It
// needs no SFU: the stats agent's tests and benchmark use it as "any user's page".
//
// The page's own code records what it saw in `window.pageResult`, so a test can check that the
// agent's wrapper left it unaffected. `window.hangUp()` closes both connections.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackCallServer {
  /** URL of the call page, e.g. http://127.0.0.1:41234/call.html */
  url: string;
  /** Stops the server. Idempotent. */
  close(): Promise<void>;
}

/** What the page's own code reports in `window.pageResult`. */
export interface LoopbackPageResult {
  errors: string[];
  started: boolean;
  /** The receiving connection's own onconnectionstatechange handler saw 'connected'. */
  connectedSeen: boolean;
  /** Both connections are `instanceof RTCPeerConnection`, the subclass one also of its class. */
  instanceOf: boolean;
  /** RTCPeerConnection.generateCertificate still works. */
  certificateOk: boolean;
  /** A method the page added to RTCPeerConnection.prototype is callable on its connections. */
  prototypePatchOk: boolean;
  /** The receiver's video element has played frames. */
  videoPlaying: boolean;
}

export const LOOPBACK_CALL_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>loopback call</title></head>
<body>
<video id="remote" autoplay muted playsinline width="320" height="180"></video>
<script>
window.pageResult = { errors: [], started: false, connectedSeen: false, instanceOf: false,
  certificateOk: false, prototypePatchOk: false, videoPlaying: false };
const r = window.pageResult;
// A page that patches the prototype, as adapter.js and some apps do.
RTCPeerConnection.prototype.appLabel = function () { return 'app:' + this.connectionState; };
class AppPeerConnection extends RTCPeerConnection {}
(async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 360, frameRate: 30 }, audio: true });
    const a = new RTCPeerConnection();
    const b = new AppPeerConnection();
    window.pcs = [a, b];
    a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate).catch((x) => r.errors.push(String(x))); };
    b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate).catch((x) => r.errors.push(String(x))); };
    b.onconnectionstatechange = () => { if (b.connectionState === 'connected') r.connectedSeen = true; };
    b.ontrack = (e) => {
      if (e.track.kind !== 'video') return;
      const v = document.getElementById('remote');
      v.srcObject = e.streams[0] || new MediaStream([e.track]);
      v.requestVideoFrameCallback(() => { r.videoPlaying = true; });
    };
    for (const t of stream.getTracks()) a.addTrack(t, stream);
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    r.instanceOf = a instanceof RTCPeerConnection && b instanceof RTCPeerConnection && b instanceof AppPeerConnection;
    r.prototypePatchOk = b.appLabel().startsWith('app:');
    const cert = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
    r.certificateOk = cert.expires > Date.now();
    window.hangUp = () => { a.close(); b.close(); for (const t of stream.getTracks()) t.stop(); };
    r.started = true;
  } catch (e) {
    r.errors.push(String(e && e.stack || e));
  }
})();
</script>
</body></html>`;

/** Serves the call page on 127.0.0.1 (a random free port). */
export async function startLoopbackCallServer(): Promise<LoopbackCallServer> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/call.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(LOOPBACK_CALL_HTML);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/call.html`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
