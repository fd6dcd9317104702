// Entry point of the reference call page: reads the URL parameters (documented in params.ts),
// installs window.rtcHarness, and joins and publishes on load when autojoin=1.
import type { RtcHarnessApi } from './api.ts';
import { Call } from './call.ts';
import { addressWithoutToken, parseParams } from './params.ts';
import { errorMessage } from './signaling.ts';
import { TileGrid } from './ui.ts';

async function main(): Promise<void> {
  const root = document.getElementById('app') ?? document.body;
  let params;
  try {
    params = parseParams(window.location);
    const clean = addressWithoutToken(window.location.href);
    if (clean !== null) history.replaceState(history.state, '', clean);
  } catch (err) {
    const ui = new TileGrid(root);
    // Nothing to drive without valid parameters; say so on the page and in the console.
    ui.setStatus(`bad URL: ${errorMessage(err)}`);
    console.error(errorMessage(err));
    document.documentElement.dataset.state = 'error';
    return;
  }
  const ui = new TileGrid(root, params.render);
  const call = new Call({
    wsUrl: params.wsUrl,
    ui,
    preview: params.preview,
    autoRestartIce: params.iceRestart,
    ...(params.handlerName === undefined ? {} : { handlerName: params.handlerName }),
  });
  const api: RtcHarnessApi = call;
  window.rtcHarness = api;
  // Lets a harness wait with `waitForSelector('html[data-state=ready]')` instead of polling.
  document.documentElement.dataset.state = 'ready';
  if (!params.autojoin || params.room === undefined) return;
  try {
    await call.join({
      room: params.room,
      ...(params.name === undefined ? {} : { name: params.name }),
      ...(params.peerId === undefined ? {} : { peerId: params.peerId }),
      ...(params.token === undefined ? {} : { token: params.token }),
    });
    if (params.audio || params.video) {
      await call.publish({
        audio: params.audio,
        video: params.video
          ? { simulcast: params.simulcast, width: params.width, height: params.height, fps: params.fps }
          : false,
      });
    }
    if (params.screen) await call.startScreenShare();
    document.documentElement.dataset.state = 'joined';
  } catch (err) {
    // The Call already recorded it as lastError and an 'error' event.
    console.error(errorMessage(err));
    document.documentElement.dataset.state = 'error';
  }
}

void main();
