/**
 * The ES5.1 downlink half of generated network-server codecs: the bytes of
 * every downlink the gateway accepts (drivers/gateway/downlink.ts,
 * docs/app-ack.md), from objects a platform writes, and back. A second,
 * independent implementation: tests run it against the TypeScript encoder.
 *
 *   encodeDownlink({data, fPort})      The Things Stack → {bytes, fPort, warnings, errors}
 *   encodeDownlink({data, variables})  ChirpStack v4    → {bytes, fPort, warnings, errors} (ChirpStack
 *                                      reads bytes and fPort; the rest is ignored)
 *   decodeDownlink({bytes, fPort})     both            → {data, warnings, errors}
 *
 * fPort of the result is the site's downlink port (AXON_PORTS.downlink).
 *
 * data: {type: "data-ack", base, seqs: [...]} · {type: "acknowledge", rule,
 * level?: "warning"|"critical"} · {type: "poll-period", device, periodS (0 or
 * absent: back to the site file's period)}. Errors are returned, never thrown.
 * Expects the globals AXON_CHANNELS and AXON_RULES of the uplink half.
 */
export const CODEC_DOWNLINK_RUNTIME = String.raw`
var AXON_LEVELS = [null, 'warning', 'critical'];

function axonUintBytes(value, count) {
  var out = [];
  for (var i = count - 1; i >= 0; i--) {
    out[i] = value % 256;
    value = Math.floor(value / 256);
  }
  return out;
}

function axonIsInt(v, max) {
  return typeof v === 'number' && v % 1 === 0 && v >= 0 && v < max;
}

function axonDataAckBytes(d) {
  if (!axonIsInt(d.base, 32768)) throw new Error('data-ack base must be an integer 0-32767');
  if (!(d.seqs instanceof Array)) throw new Error('data-ack seqs must be an array of sequence numbers');
  var offsets = [];
  var top = -1;
  for (var i = 0; i < d.seqs.length; i++) {
    if (!axonIsInt(d.seqs[i], 32768)) throw new Error('data-ack seqs[' + i + '] is not a sequence number 0-32767');
    var o = (d.seqs[i] - d.base + 32768) % 32768;
    if (o >= 64) throw new Error('sequence number ' + d.seqs[i] + ' is not within 64 of the base ' + d.base + ': send it in another data-ack');
    offsets.push(o);
    if (o > top) top = o;
  }
  var out = [3].concat(axonUintBytes(d.base, 2));
  for (var b = 0; b <= top >> 3; b++) out.push(0);
  for (var j = 0; j < offsets.length; j++) out[3 + (offsets[j] >> 3)] |= 128 >> (offsets[j] & 7);
  return out;
}

function axonAcknowledgeBytes(d) {
  var index = -1;
  for (var i = 0; i < AXON_RULES.length; i++) if (AXON_RULES[i][0] === d.rule && AXON_RULES[i][3] !== 1) index = i;
  if (index < 0 || index > 255) throw new Error('rule ' + d.rule + ' is not in this codec (regenerate it from the gateway\'s channel table)');
  if (d.level === undefined || d.level === null) return [1, index];
  for (var l = 1; l < AXON_LEVELS.length; l++) if (AXON_LEVELS[l] === d.level) return [1, index, l];
  throw new Error('level must be "warning" or "critical"');
}

function axonPollPeriodBytes(d) {
  var channel = -1;
  for (var i = 0; i < AXON_CHANNELS.length && channel < 0; i++) if (AXON_CHANNELS[i][0] === d.device && AXON_CHANNELS[i][5] !== 1) channel = i;
  if (channel < 0) throw new Error('device ' + d.device + ' has no channel in this codec');
  var periodS = d.periodS === undefined || d.periodS === null ? 0 : d.periodS;
  if (!axonIsInt(periodS, 16777216)) throw new Error('periodS must be an integer 0-16777215 seconds');
  return [2].concat(axonUintBytes(channel, 2), axonUintBytes(periodS, 3));
}

function encodeDownlink(input) {
  try {
    var d = input && input.data;
    if (!d || typeof d !== 'object') return { errors: ['data must be an object with a type'] };
    var bytes;
    if (d.type === 'data-ack') bytes = axonDataAckBytes(d);
    else if (d.type === 'acknowledge') bytes = axonAcknowledgeBytes(d);
    else if (d.type === 'poll-period') bytes = axonPollPeriodBytes(d);
    else return { errors: ['unknown downlink type ' + d.type + ' (data-ack, acknowledge, poll-period)'] };
    return { bytes: bytes, fPort: AXON_PORTS.downlink, warnings: [], errors: [] };
  } catch (e) {
    return { errors: [String((e && e.message) || e)] };
  }
}

function decodeDownlink(input) {
  try {
    var b = input.bytes;
    var fPort = input.fPort;
    if (fPort !== undefined && fPort !== null && !(fPort >= 1 && fPort <= 223)) return { errors: ['FPort ' + fPort + ' is not an application port (1-223)'] };
    if (!b || b.length === 0) return { errors: ['empty downlink'] };
    var warnings = [];
    // The gateway obeys a downlink on any application port; Axon's tools and encodeDownlink use AXON_PORTS.downlink.
    if (fPort !== undefined && fPort !== null && fPort !== AXON_PORTS.downlink) warnings.push('a downlink on FPort ' + fPort + '; encodeDownlink sends on ' + AXON_PORTS.downlink);
    var data;
    if (b[0] === 1 && (b.length === 2 || b.length === 3)) {
      var rule = AXON_RULES[b[1]];
      if (!rule) throw new Error('rule index ' + b[1] + ' is not in this codec');
      data = { type: 'acknowledge', rule: rule[0] };
      if (b.length === 3 && b[2] !== 0) {
        if (!AXON_LEVELS[b[2]]) throw new Error('level ' + b[2] + ' is not 0, 1 or 2');
        data.level = AXON_LEVELS[b[2]];
      }
    } else if (b[0] === 2 && b.length === 6) {
      var ch = AXON_CHANNELS[b[1] * 256 + b[2]];
      if (!ch) throw new Error('channel ' + (b[1] * 256 + b[2]) + ' is not in this codec');
      data = { type: 'poll-period', device: ch[0] };
      var p = axonUint(b, 3, 3);
      if (p !== 0) data.periodS = p;
    } else if (b[0] === 3 && b.length >= 3 && b.length <= 11) {
      var base = b[1] * 256 + b[2];
      if (base >= 32768) throw new Error('data-ack base has bit 15 set');
      var seqs = [];
      for (var i = 0; i < (b.length - 3) * 8; i++) if ((b[3 + (i >> 3)] >> (7 - (i & 7))) & 1) seqs.push((base + i) % 32768);
      data = { type: 'data-ack', base: base, seqs: seqs };
    } else {
      return { errors: ['not an Axon downlink: type ' + b[0] + ', ' + b.length + ' bytes'] };
    }
    return { data: data, warnings: warnings, errors: [] };
  } catch (e) {
    return { errors: [String((e && e.message) || e)] };
  }
}
`;
