// The SDP side of WHIP and WHEP: a browser's offer read into plain data (checked here, once, so
// that a bad offer is a one-line 400 and never reaches mediasoup half-understood), and the answer
// written from the transport and the RTP parameters the SFU settled on. Pure functions; the
// mapping between an offer's m-lines and mediasoup's RTP structures is in rtp.ts.
import { parse, parseParams, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { types } from 'mediasoup';

/** The offer cannot be used; the message names what is wrong in one line (the HTTP 400 body). */
export class OfferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfferError';
  }
}

export type CodecParameters = Record<string, string | number>;

export interface OfferCodec {
  payloadType: number;
  /** 'audio/opus', 'video/VP8', 'video/rtx'... as mediasoup spells them. */
  mimeType: string;
  clockRate: number;
  /** Audio only; absent in the offer means 1. */
  channels?: number;
  parameters: CodecParameters;
  rtcpFeedback: types.RtcpFeedback[];
}

export interface OfferMedia {
  /** Position of the m-line in the offer, 0-based. */
  index: number;
  /** 'audio', 'video', or what else the m-line says ('application' for a data channel). */
  type: string;
  mid: string;
  /** The offerer's direction. */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** Port 0: the offerer itself rejected or stopped this m-line. */
  stopped: boolean;
  protocol: string;
  /** The m-line's format list as written, echoed in a rejection. */
  formats: string;
  codecs: OfferCodec[];
  headerExtensions: { uri: string; id: number }[];
  /** The media stream's SSRC, its RTX SSRC (a=ssrc-group:FID) and RTCP CNAME, when it sends. */
  ssrc?: number;
  rtxSsrc?: number;
  cname?: string;
  /** rids the offerer sends (a=simulcast:send, else its a=rid send lines), simulcast by rid. */
  sendRids: string[];
  rtcpMux: boolean;
  rtcpReducedSize: boolean;
}

export interface Offer {
  media: OfferMedia[];
  /** The offerer's DTLS role and certificate fingerprints, as a WebRtcTransport connects with them. */
  dtlsParameters: types.DtlsParameters;
}

/** MIME type prefix per m-line type; other m-lines (data channels) are only ever rejected. */
const MEDIA_TYPES = new Set(['audio', 'video']);

/** Reads a browser's offer; throws OfferError on anything the SFU cannot answer. */
export function parseOffer(text: string): Offer {
  if (!/^v=0\r?\n/.test(text.trimStart())) throw new OfferError('the body is not an SDP offer (it does not start with v=0)');
  let session: SessionDescription;
  try {
    session = parse(text);
  } catch (error) {
    throw new OfferError(`the SDP does not parse: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (session.media.length === 0) throw new OfferError('the offer has no m-line');
  const media = session.media.map((m, index) => readMedia(m, index));
  const live = media.filter((m) => !m.stopped);
  const bundle = (session.groups ?? []).find((g) => g.type === 'BUNDLE');
  // sdp-transform turns a lone numeric mid into a number.
  const bundled = new Set(bundle === undefined ? [] : String(bundle.mids).split(' '));
  if (live.length > 1 && !live.every((m) => bundled.has(m.mid))) {
    throw new OfferError('the offer does not BUNDLE its m-lines (a=group:BUNDLE); this SFU takes all media on one transport');
  }
  for (const m of live) {
    if (MEDIA_TYPES.has(m.type) && !m.rtcpMux) throw new OfferError(`m-line ${m.index} (${m.type}) lacks a=rtcp-mux; this SFU needs RTP and RTCP on one port`);
  }
  return { media, dtlsParameters: readDtls(session) };
}

function readMedia(m: MediaDescription, index: number): OfferMedia {
  if (m.mid === undefined) throw new OfferError(`m-line ${index} (${m.type}) has no a=mid`);
  const feedback = m.rtcpFb ?? [];
  // The m= line's format list is what is offered; an a=rtpmap for another payload type is not.
  const formats = new Set(String(m.payloads ?? '').split(' ').map(Number));
  const codecs = m.rtp.filter((rtp) => formats.has(rtp.payload)).map((rtp): OfferCodec => {
    const fmtp = m.fmtp.find((f) => f.payload === rtp.payload);
    const channels = rtp.encoding === undefined ? undefined : Number(rtp.encoding);
    return {
      payloadType: rtp.payload,
      mimeType: `${m.type}/${rtp.codec}`,
      clockRate: Number(rtp.rate),
      ...(m.type === 'audio' ? { channels: channels ?? 1 } : {}),
      parameters: fmtp ? (parseParams(fmtp.config) as CodecParameters) : {},
      rtcpFeedback: feedback
        .filter((fb) => fb.payload === '*' || Number(fb.payload) === rtp.payload)
        .map((fb) => ({ type: fb.type, parameter: fb.subtype ?? '' })),
    };
  });
  for (const codec of codecs) {
    if (!Number.isInteger(codec.clockRate) || codec.clockRate <= 0) {
      throw new OfferError(`m-line ${index} (${m.type}): payload type ${codec.payloadType} has no clock rate in its a=rtpmap`);
    }
  }
  const fid = (m.ssrcGroups ?? []).find((g) => g.semantics === 'FID')?.ssrcs.split(' ').map(Number);
  const ssrc = fid?.[0] ?? m.ssrcs?.[0]?.id;
  const cname = m.ssrcs?.find((s) => s.attribute === 'cname' && (ssrc === undefined || s.id === ssrc))?.value;
  const simulcast = m.simulcast?.dir1 === 'send' ? m.simulcast.list1 : m.simulcast?.dir2 === 'send' ? m.simulcast.list2 : undefined;
  const sendRids = simulcast
    ? // ';' separates streams, ',' alternatives of one stream, '~' marks a paused one.
      simulcast.split(';').map((alternatives) => alternatives.split(',')[0]!.replace(/^~/, ''))
    : (m.rids ?? []).filter((r) => r.direction === 'send').map((r) => String(r.id));
  return {
    index,
    type: m.type,
    mid: String(m.mid),
    direction: m.direction ?? 'sendrecv',
    stopped: m.port === 0,
    protocol: m.protocol,
    formats: String(m.payloads ?? ''),
    codecs,
    headerExtensions: (m.ext ?? []).map((e) => ({ uri: e.uri, id: e.value })),
    ...(ssrc !== undefined && Number.isInteger(ssrc) ? { ssrc } : {}),
    ...(fid?.[1] !== undefined && Number.isInteger(fid[1]) ? { rtxSsrc: fid[1] } : {}),
    ...(cname !== undefined ? { cname } : {}),
    sendRids,
    rtcpMux: m.rtcpMux !== undefined,
    rtcpReducedSize: m.rtcpRsize !== undefined,
  };
}

function readDtls(session: SessionDescription): types.DtlsParameters {
  // Browsers write both at media level; the session level is the fallback RFC 8842 allows.
  const first = session.media.find((m) => m.fingerprint !== undefined && m.port !== 0) ?? session.media.find((m) => m.fingerprint);
  const fingerprint = first?.fingerprint ?? session.fingerprint;
  if (!fingerprint) throw new OfferError('the offer has no a=fingerprint; DTLS needs the offerer\'s certificate fingerprint');
  const algorithm = fingerprint.type.toLowerCase();
  if (!['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'].includes(algorithm)) {
    throw new OfferError(`a=fingerprint uses '${fingerprint.type}'; expected sha-256 (or sha-1/224/384/512)`);
  }
  const setup = first?.setup ?? session.setup ?? 'actpass';
  // actpass or active: the offerer will be the DTLS client (our answer says passive).
  const role: types.DtlsRole = setup === 'passive' ? 'server' : 'client';
  return { role, fingerprints: [{ algorithm: algorithm as types.FingerprintAlgorithm, value: fingerprint.hash }] };
}

/** One answered m-line: taken with the RTP parameters agreed on, or rejected (port 0). */
export type AnswerMedia =
  | { offer: OfferMedia; accepted: false }
  | {
      offer: OfferMedia;
      accepted: true;
      /** Our side: recvonly for a WHIP publisher's m-lines, sendonly for a WHEP viewer's. */
      direction: 'recvonly' | 'sendonly';
      rtpParameters: types.RtpParameters;
      /** Sendonly: the stream and track ids the viewer's MediaStream gets. */
      msid?: { streamId: string; trackId: string };
    };

export interface AnswerTransport {
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** The SDP answer: mediasoup's ICE-lite credentials and candidates, its fingerprint, one m-line per offered one. */
export function writeAnswer(offer: Offer, transport: AnswerTransport, media: AnswerMedia[]): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new Error('writeAnswer: the transport has no DTLS fingerprint');
  // We take the role the offerer left us: passive (DTLS server) unless it insisted on passive itself.
  const setup = offer.dtlsParameters.role === 'server' ? 'active' : 'passive';
  const accepted = media.filter((m) => m.accepted);
  const session: SessionDescription = {
    version: 0,
    origin: { username: 'rtc-harness-sfu', sessionId: Date.now(), sessionVersion: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    groups: accepted.length > 0 ? [{ type: 'BUNDLE', mids: accepted.map((m) => m.offer.mid).join(' ') }] : [],
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: media.map((m) => {
      if (!m.accepted) {
        return {
          type: m.offer.type,
          port: 0,
          protocol: m.offer.protocol,
          payloads: m.offer.formats,
          connection: { version: 4, ip: '0.0.0.0' },
          mid: m.offer.mid,
          direction: 'inactive',
          rtp: [],
          fmtp: [],
        };
      }
      return {
        ...rtpSection(m.rtpParameters, m.direction, m.msid),
        type: m.offer.type,
        // Port 7 as mediasoup-client writes: ICE decides where media goes, this value is ignored.
        port: 7,
        protocol: 'UDP/TLS/RTP/SAVPF',
        connection: { version: 4, ip: '127.0.0.1' },
        mid: m.offer.mid,
        iceUfrag: transport.iceParameters.usernameFragment,
        icePwd: transport.iceParameters.password,
        fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
        setup,
        candidates: transport.iceCandidates.map((c) => ({
          foundation: c.foundation,
          component: 1,
          transport: c.protocol,
          priority: c.priority,
          ip: c.address,
          port: c.port,
          type: c.type,
          ...(c.tcpType ? { tcptype: c.tcpType } : {}),
        })),
        endOfCandidates: 'end-of-candidates',
        rtcpMux: 'rtcp-mux',
        ...(m.offer.rtcpReducedSize ? { rtcpRsize: 'rtcp-rsize' } : {}),
      } satisfies MediaDescription;
    }),
  };
  return write(session);
}

/** The codec, extension and stream lines of one accepted m-line. */
function rtpSection(
  params: types.RtpParameters,
  direction: 'recvonly' | 'sendonly',
  msid: { streamId: string; trackId: string } | undefined,
): Pick<MediaDescription, 'rtp' | 'fmtp' | 'rtcpFb' | 'ext' | 'direction' | 'payloads' | 'ssrcs' | 'ssrcGroups' | 'msid' | 'rids' | 'simulcast'> {
  const codecs = params.codecs;
  const section: ReturnType<typeof rtpSection> = {
    direction,
    payloads: codecs.map((c) => c.payloadType).join(' '),
    rtp: codecs.map((c) => ({
      payload: c.payloadType,
      codec: c.mimeType.split('/')[1]!,
      rate: c.clockRate,
      ...(c.channels !== undefined && c.channels > 1 ? { encoding: c.channels } : {}),
    })),
    fmtp: codecs
      .filter((c) => c.parameters && Object.keys(c.parameters).length > 0)
      .map((c) => ({
        payload: c.payloadType,
        config: Object.entries(c.parameters as CodecParameters)
          .map(([key, value]) => `${key}=${value}`)
          .join(';'),
      })),
    rtcpFb: codecs.flatMap((c) =>
      (c.rtcpFeedback ?? []).map((fb) => ({ payload: c.payloadType, type: fb.type, ...(fb.parameter ? { subtype: fb.parameter } : {}) })),
    ),
    ext: (params.headerExtensions ?? []).map((e) => ({ value: e.id, uri: e.uri })),
  };
  if (direction === 'recvonly') {
    const rids = (params.encodings ?? []).flatMap((e) => (e.rid === undefined ? [] : [e.rid]));
    if (rids.length > 0) {
      section.rids = rids.map((id) => ({ id, direction: 'recv' }));
      section.simulcast = { dir1: 'recv', list1: rids.join(';') };
    }
    return section;
  }
  // Sendonly: the viewer learns our SSRCs, so it needs no MID to demultiplex them.
  const cname = params.rtcp?.cname ?? 'rtc-harness-sfu';
  const ssrcLines: NonNullable<MediaDescription['ssrcs']> = [];
  const groups: NonNullable<MediaDescription['ssrcGroups']> = [];
  for (const encoding of params.encodings ?? []) {
    if (encoding.ssrc === undefined) continue;
    const ssrcs = encoding.rtx?.ssrc === undefined ? [encoding.ssrc] : [encoding.ssrc, encoding.rtx.ssrc];
    if (ssrcs.length === 2) groups.push({ semantics: 'FID', ssrcs: ssrcs.join(' ') });
    for (const id of ssrcs) {
      ssrcLines.push({ id, attribute: 'cname', value: cname });
      if (msid) ssrcLines.push({ id, attribute: 'msid', value: `${msid.streamId} ${msid.trackId}` });
    }
  }
  section.ssrcs = ssrcLines;
  section.ssrcGroups = groups;
  if (msid) section.msid = [{ id: msid.streamId, appdata: msid.trackId }];
  return section;
}
