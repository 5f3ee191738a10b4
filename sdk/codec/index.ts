/** Platform-side codec tools: decode Axon uplinks; generate network-server codecs. */
export { decodeUplink, type DecodedUplink, type DecodedReading } from './decode-uplink.js';
export { generateCodec } from './generate-codec.js';
export { es5Violations } from './es5-check.js';
export { readingKey, RepeatFilter } from './repeats.js';
