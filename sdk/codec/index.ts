/** Platform-side codec tools: decode Axon uplinks; generate network-server codecs. */
export { decodeUplink, type DecodedUplink, type DecodedReading } from './decode-uplink.js';
export { generateCodec, TTS_CODEC_LIMIT_BYTES, type CodecOptions } from './generate-codec.js';
export { codecPorts, type CodecPorts } from './codec-ports.js';
export { asCodecData, type CodecData } from './codec-data.js';
export { es5Violations } from './es5-check.js';
export { readingKey, RepeatFilter } from './repeats.js';
