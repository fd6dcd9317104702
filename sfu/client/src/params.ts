// The page's URL parameters. Every one is optional:
//
//   room=ROOM        room to join.                                   Default: none (required with autojoin=1)
//   name=NAME        display name.                                   Default: the peer id the SFU picks
//   peer=ID          peer id to ask for.                             Default: chosen by the SFU
//   token=TOKEN      join token (SFU with a token secret), best in the fragment: #token=TOKEN
//                    is never sent to a server, so no access log or Referer carries it. The page
//                    takes it out of its address either way (see addressWithoutToken).  Default: none
//   autojoin=0|1     join and publish on load; 0 leaves it to window.rtcHarness.  Default 0
//   audio=0|1        publish the microphone on autojoin.             Default 1
//   video=0|1        publish the camera on autojoin.                 Default 1
//   simulcast=0|1    camera as three simulcast layers.               Default 0
//   width=PX         camera width.                                   Default 640
//   height=PX        camera height.                                  Default 360
//   fps=N            camera frame rate.                              Default 30
//   screen=0|1       also start the synthetic screen share on autojoin.  Default 0
//   preview=0|1      show the local camera in its tile (costs rendering CPU).  Default 0
//   render=0|1       show remote video in <video> elements; 0 receives it unseen (no painting
//                    or compositing CPU: the harness's count-mode participants).  Default 1
//   icerestart=0|1   restart ICE by itself when a transport goes disconnected or failed.  Default 0
//   ws=URL           signaling WebSocket.                            Default: ws(s)://<this host>/ws
//   handler=NAME     mediasoup-client handler, e.g. Chrome111.       Default: detected from the browser
//
// Booleans accept 1/0, true/false, yes/no. A malformed value is an error naming the parameter,
// so a harness typo does not silently turn into a default.

export interface PageParams {
  room: string | undefined;
  name: string | undefined;
  peerId: string | undefined;
  token: string | undefined;
  autojoin: boolean;
  audio: boolean;
  video: boolean;
  simulcast: boolean;
  width: number;
  height: number;
  fps: number;
  screen: boolean;
  preview: boolean;
  render: boolean;
  iceRestart: boolean;
  wsUrl: string;
  handlerName: string | undefined;
}

export const PARAM_DEFAULTS = {
  autojoin: false,
  audio: true,
  video: true,
  simulcast: false,
  width: 640,
  height: 360,
  fps: 30,
  screen: false,
  preview: false,
  render: true,
  iceRestart: false,
} as const;

/** The page location's parts that decide the default signaling URL. */
export interface PageLocation {
  search: string;
  protocol: string;
  host: string;
  /** `#token=...`; absent or '' when there is none. */
  hash?: string;
}

export function parseParams(location: PageLocation): PageParams {
  const query = new URLSearchParams(location.search);
  const text = (key: string): string | undefined => {
    const value = query.get(key);
    return value === null || value === '' ? undefined : value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(value)) return true;
    if (/^(0|false|no)$/i.test(value)) return false;
    throw new Error(`URL parameter ${key}=${value} must be 1 or 0`);
  };
  const positive = (key: string, fallback: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new Error(`URL parameter ${key}=${value} must be a whole number from 1 to ${max}`);
    }
    return n;
  };
  const defaultWs = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const wsUrl = text('ws') ?? defaultWs;
  if (!/^wss?:\/\//.test(wsUrl)) throw new Error(`URL parameter ws=${wsUrl} must start with ws:// or wss://`);
  const params: PageParams = {
    room: text('room'),
    name: text('name'),
    peerId: text('peer'),
    token: fragmentToken(location.hash) ?? text('token'),
    autojoin: flag('autojoin', PARAM_DEFAULTS.autojoin),
    audio: flag('audio', PARAM_DEFAULTS.audio),
    video: flag('video', PARAM_DEFAULTS.video),
    simulcast: flag('simulcast', PARAM_DEFAULTS.simulcast),
    width: positive('width', PARAM_DEFAULTS.width, 7680),
    height: positive('height', PARAM_DEFAULTS.height, 4320),
    fps: positive('fps', PARAM_DEFAULTS.fps, 120),
    screen: flag('screen', PARAM_DEFAULTS.screen),
    preview: flag('preview', PARAM_DEFAULTS.preview),
    render: flag('render', PARAM_DEFAULTS.render),
    iceRestart: flag('icerestart', PARAM_DEFAULTS.iceRestart),
    wsUrl,
    handlerName: text('handler'),
  };
  if (params.autojoin && params.room === undefined) {
    throw new Error('URL parameter autojoin=1 needs room=ROOM');
  }
  return params;
}

function fragmentToken(hash: string | undefined): string | undefined {
  const value = new URLSearchParams((hash ?? '').replace(/^#/, '')).get('token');
  return value === null || value === '' ? undefined : value;
}

/**
 * The page's address with its token taken out of the query and the fragment, or null when it has
 * none: the page replaces its address with it, so the token is not left in the history, a shared
 * screenshot, or a Referer.
 */
export function addressWithoutToken(href: string): string | null {
  const url = new URL(href);
  const query = new URLSearchParams(url.search);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (!query.has('token') && !fragment.has('token')) return null;
  query.delete('token');
  fragment.delete('token');
  url.search = query.toString();
  url.hash = fragment.toString();
  return url.toString();
}
