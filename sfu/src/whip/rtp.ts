// An offer's m-line as mediasoup's RTP structures: what a WHIP publisher's m-line produces
// (RtpParameters checked against the room's router) and what a WHEP viewer's m-line can receive
// (RtpCapabilities with the viewer's own payload types and extension ids). Pure functions.
import { getProducerRtpParametersMapping } from 'mediasoup/node/lib/ortc.js';
import type { types } from 'mediasoup';
import { OfferError, type OfferCodec, type OfferMedia } from './sdp.ts';

/** Codecs that only travel with a media codec (retransmission, redundancy, FEC, comfort noise, DTMF). */
const NOT_A_MEDIA_CODEC = /\/(rtx|red|ulpfec|flexfec-03|cn|telephone-event)$/i;

function isMediaKind(type: string): type is types.MediaKind {
  return type === 'audio' || type === 'video';
}

/** How an m-line is named in errors: `m-line 1 (video, mid 1)`. */
export function describeMedia(media: OfferMedia): string {
  return `m-line ${media.index} (${media.type}, mid ${media.mid})`;
}

/**
 * The RtpParameters a publisher's m-line produces with: the first codec of the offer (its order
 * is the browser's preference) that the router takes, with its RTX if offered, the header
 * extensions the router receives (with the offer's ids), and one encoding per rid, else one with
 * the offer's SSRC and RTX SSRC. Throws OfferError when no offered codec fits or nothing names
 * the stream.
 */
export function publishRtpParameters(media: OfferMedia, routerCaps: types.RtpCapabilities): types.RtpParameters {
  if (!isMediaKind(media.type)) throw new OfferError(`${describeMedia(media)} carries no audio or video`);
  const kind = media.type;
  if (media.sendRids.length === 0 && media.ssrc === undefined) {
    throw new OfferError(`${describeMedia(media)} has no a=ssrc and no a=rid send; the SFU needs one of them to recognise the stream`);
  }
  const headerExtensions = media.headerExtensions
    .filter((e) => (routerCaps.headerExtensions ?? []).some((r) => r.kind === kind && r.uri === e.uri && r.direction !== 'sendonly' && r.direction !== 'inactive'))
    .map((e) => ({ uri: e.uri as types.RtpHeaderExtensionUri, id: e.id }));
  const rtcp: types.RtcpParameters = { ...(media.cname !== undefined ? { cname: media.cname } : {}), reducedSize: media.rtcpReducedSize };
  for (const codec of media.codecs) {
    if (NOT_A_MEDIA_CODEC.test(codec.mimeType)) continue;
    const rtx = media.codecs.find((c) => c.mimeType.toLowerCase() === `${kind}/rtx` && Number(c.parameters.apt) === codec.payloadType);
    const encodings: types.RtpEncodingParameters[] =
      media.sendRids.length > 0
        ? media.sendRids.map((rid) => ({ rid }))
        : [{ ssrc: media.ssrc!, ...(rtx && media.rtxSsrc !== undefined ? { rtx: { ssrc: media.rtxSsrc } } : {}) }];
    const params: types.RtpParameters = {
      mid: media.mid,
      codecs: [toRtpCodec(codec, kind), ...(rtx ? [toRtpCodec(rtx, kind)] : [])],
      headerExtensions,
      encodings,
      rtcp,
    };
    let mapping: ReturnType<typeof getProducerRtpParametersMapping>;
    try {
      // mediasoup's own codec matching (H264 profiles, VP9 profile-id...), the one produce() applies.
      mapping = getProducerRtpParametersMapping(structuredClone(params), routerCaps);
    } catch {
      continue;
    }
    // Keep only the feedback the router's codec supports: the answer promises no more than the SFU does.
    const routerCodec = routerCaps.codecs?.find((c) => c.preferredPayloadType === mapping.codecs[0]?.mappedPayloadType);
    const supported = routerCodec?.rtcpFeedback ?? [];
    for (const c of params.codecs) {
      c.rtcpFeedback = (c.rtcpFeedback ?? []).filter((fb) => supported.some((s) => s.type === fb.type && (s.parameter ?? '') === (fb.parameter ?? '')));
    }
    return params;
  }
  const offered = [...new Set(media.codecs.filter((c) => !NOT_A_MEDIA_CODEC.test(c.mimeType)).map((c) => c.mimeType))];
  const taken = [...new Set((routerCaps.codecs ?? []).filter((c) => c.kind === kind && !/\/rtx$/i.test(c.mimeType)).map((c) => c.mimeType))];
  throw new OfferError(
    `${describeMedia(media)} offers no codec this SFU takes (offered: ${offered.join(', ') || 'none'}; taken: ${taken.join(', ')})`,
  );
}

function toRtpCodec(codec: OfferCodec, kind: types.MediaKind): types.RtpCodecParameters {
  return {
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(kind === 'audio' ? { channels: codec.channels ?? 1 } : {}),
    parameters: { ...codec.parameters },
    rtcpFeedback: codec.rtcpFeedback.map((fb) => ({ ...fb })),
  };
}

/**
 * What a viewer's m-line can receive, in mediasoup's terms. A consumer sends the router's payload
 * types and header extension ids (mediasoup never renumbers per consumer), while a browser that
 * offered receives with its own numbers; so only the codecs and extensions the viewer numbers as
 * the router does are kept (rooms number their codecs as Chromium does, see codecs.ts). RTX is
 * left out (the router numbers it from its own dynamic range): lost packets are still resent,
 * on the media SSRC, as mediasoup does without RTX.
 */
export function viewerRtpCapabilities(media: OfferMedia, routerCaps: types.RtpCapabilities): types.RtpCapabilities {
  if (!isMediaKind(media.type)) throw new OfferError(`${describeMedia(media)} carries no audio or video`);
  const kind = media.type;
  const sameNumber = (c: OfferCodec) =>
    (routerCaps.codecs ?? []).some(
      (r) => r.kind === kind && r.preferredPayloadType === c.payloadType && r.mimeType.toLowerCase() === c.mimeType.toLowerCase() && r.clockRate === c.clockRate,
    );
  return {
    codecs: media.codecs
      .filter((c) => !/\/rtx$/i.test(c.mimeType) && sameNumber(c))
      .map((c) => ({
        kind,
        mimeType: c.mimeType,
        preferredPayloadType: c.payloadType,
        clockRate: c.clockRate,
        ...(kind === 'audio' ? { channels: c.channels ?? 1 } : {}),
        parameters: { ...c.parameters },
        rtcpFeedback: c.rtcpFeedback.map((fb) => ({ ...fb })),
      })),
    headerExtensions: media.headerExtensions
      .filter((e) => (routerCaps.headerExtensions ?? []).some((r) => r.kind === kind && r.uri === e.uri && r.preferredId === e.id))
      .map((e) => ({
        kind,
        uri: e.uri as types.RtpHeaderExtensionUri,
        preferredId: e.id,
        preferredEncrypt: false,
        direction: 'sendrecv' as const,
      })),
  };
}

/** How the router numbers `kind`'s media codecs, for errors: `video/VP8 96, video/VP9 98`. */
export function routerNumbering(routerCaps: types.RtpCapabilities, kind: string): string {
  return (routerCaps.codecs ?? [])
    .filter((c) => c.kind === kind && !/\/rtx$/i.test(c.mimeType))
    .map((c) => `${c.mimeType} ${c.preferredPayloadType}`)
    .join(', ');
}
