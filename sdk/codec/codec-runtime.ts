/**
 * The ES5.1 decoder that generated network-server codecs carry (The Things
 * Stack, ChirpStack). It is a second, independent implementation of
 * docs/batch-format.md — tests run it against the TypeScript encoder, so a
 * disagreement between spec, encoder and codec shows up. Expects globals
 * AXON_CHANNELS ([device, point, unit, decimals, "n"|"b"]), AXON_RULES
 * ([id, device, point|null]) and AXON_PORTS ({data, alert, downlink}: the
 * site's FPorts) defined before it, and the CBOR half (codec-cbor-runtime.ts).
 */
export const CODEC_RUNTIME = String.raw`
function AxonReader(bytes, startByte) {
  this.b = bytes;
  this.p = startByte * 8;
  this.n = bytes.length * 8;
}
AxonReader.prototype.read = function (bits) {
  if (bits > this.n - this.p) throw new Error('frame ends inside a ' + bits + '-bit field at bit ' + this.p);
  var v = 0;
  for (var i = 0; i < bits; i++) {
    var p = this.p++;
    v = v * 2 + ((this.b[p >> 3] >> (7 - (p & 7))) & 1);
  }
  return v;
};
AxonReader.prototype.eg0 = function () {
  var zeros = 0;
  while (this.read(1) === 0) {
    if (++zeros > 30) throw new Error('count field too long at bit ' + this.p);
  }
  return Math.pow(2, zeros) + this.read(zeros) - 1;
};
AxonReader.prototype.signed = function () {
  var n = this.eg0();
  if (n > 50) throw new Error('number field of ' + n + ' bits at bit ' + this.p);
  var z = this.read(n);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
};
AxonReader.prototype.series = function (count) {
  var min = this.signed();
  if (count < 2) return [min];
  var w = this.eg0();
  if (w > 50 || w * count > this.n - this.p) throw new Error('series of ' + count + ' x ' + w + ' bits does not fit the frame');
  var out = [];
  for (var i = 0; i < count; i++) out.push(min + this.read(w));
  return out;
};

var AXON_STEPS = [1, 2, 5, 10, 15, 30, 60, 120];
var AXON_MAGNITUDE = Math.pow(2, 46);

function axonValue(kind, decimals, fixed) {
  if (kind === 'b') return fixed !== 0;
  var v = decimals >= 0 ? fixed / Math.pow(10, decimals) : fixed * Math.pow(10, -decimals);
  return v === 0 ? 0 : v;
}

function axonTime(ms) {
  return new Date(ms).toISOString();
}

function axonPresence(r, timePoints) {
  var at = [];
  var i;
  if (r.read(1) === 0) {
    for (i = 0; i < timePoints; i++) at.push(i);
  } else if (r.read(1) === 0) {
    for (i = 0; i < timePoints; i++) if (r.read(1) === 1) at.push(i);
    if (at.length === 0) throw new Error('channel block present at no time point');
  } else {
    var count = r.eg0() + 1;
    if (count > timePoints) throw new Error('presence list longer than the timeline');
    at.push(r.eg0());
    if (count >= 2) {
      var gaps = r.series(count - 1);
      for (i = 0; i < gaps.length; i++) {
        if (gaps[i] < 0) throw new Error('presence list out of order');
        at.push(at[at.length - 1] + gaps[i] + 1);
      }
    }
    if (at[at.length - 1] >= timePoints) throw new Error('presence list beyond the timeline');
  }
  return at;
}

function axonValues(r, count) {
  var values, i;
  if (r.read(1) === 1) {
    values = [r.signed()];
    if (count >= 2) {
      var deltas = r.series(count - 1);
      for (i = 0; i < deltas.length; i++) values.push(values[i] + deltas[i]);
    }
  } else {
    values = r.series(count);
  }
  for (i = 0; i < values.length; i++) if (Math.abs(values[i]) > AXON_MAGNITUDE) throw new Error('value beyond +-2^46');
  return values;
}

// One channel's readings (binary block or CBOR entry) into readings, or a warning when this codec cannot name them.
function axonChannelReadings(readings, warnings, channel, timesMs, fixed) {
  var ch = AXON_CHANNELS[channel];
  var j;
  if (!ch) {
    warnings.push('channel ' + channel + ' is not in this codec (' + AXON_CHANNELS.length + ' channels): regenerate the codec; ' + fixed.length + ' readings skipped');
    return;
  }
  for (j = 0; j < fixed.length; j++) {
    if (ch[4] === 'b' && fixed[j] !== 0 && fixed[j] !== 1) {
      warnings.push('channel ' + channel + ' is a bit but carries other values; readings skipped');
      return;
    }
  }
  for (j = 0; j < fixed.length; j++) readings.push({ channel: channel, time: axonTime(timesMs[j]), device: ch[0], point: ch[1], unit: ch[2], value: axonValue(ch[4], ch[3], fixed[j]) });
}

function axonBatch(bytes, warnings) {
  var r = new AxonReader(bytes, 1);
  var baseS = r.read(32);
  var stepS = AXON_STEPS[r.read(3)];
  var timePoints = r.eg0() + 1;
  if (timePoints > 1024) throw new Error(timePoints + ' time points (at most 1024)');
  var times = [0];
  var i, j;
  if (timePoints >= 2) {
    var gaps = r.series(timePoints - 1);
    for (i = 0; i < gaps.length; i++) {
      if (gaps[i] < 0) throw new Error('time points out of order');
      times.push(times[i] + gaps[i] + 1);
    }
    if (times[times.length - 1] > 16777216) throw new Error('frame spans too long');
  }
  var blockCount = r.eg0() + 1;
  if (blockCount * 4 > r.n - r.p) throw new Error(blockCount + ' channel blocks cannot fit the frame');
  var readings = [];
  var channel = -1;
  for (var b = 0; b < blockCount; b++) {
    channel += r.eg0() + 1;
    if (channel >= 65536) throw new Error('channel ' + channel + ' out of range');
    var at = axonPresence(r, timePoints);
    var values = axonValues(r, at.length);
    var timesMs = [];
    for (j = 0; j < at.length; j++) timesMs.push((baseS + times[at[j]] * stepS) * 1000);
    axonChannelReadings(readings, warnings, channel, timesMs, values);
  }
  var rest = r.n - r.p;
  if (rest >= 8 || r.read(rest) !== 0) throw new Error('unexpected data after the last channel block');
  readings.sort(function (x, y) {
    return x.time < y.time ? -1 : x.time > y.time ? 1 : x.channel - y.channel;
  });
  return readings;
}

function axonUint(bytes, offset, count) {
  var v = 0;
  for (var i = 0; i < count; i++) v = v * 256 + bytes[offset + i];
  return v;
}

function axonAlert(bytes) {
  var flags = bytes[2];
  var state = ['raised', 'cleared', 'acknowledged'][(flags >> 5) & 3];
  var kind = (flags >> 3) & 3;
  if (bytes.length !== (kind === 3 ? 11 : 7)) throw new Error('alert of ' + bytes.length + ' bytes');
  if (!state || (flags & 1) !== 0) throw new Error('alert flags use reserved values');
  var rule = AXON_RULES[bytes[1]];
  if (!rule) throw new Error('alert for rule index ' + bytes[1] + ', unknown to this codec: regenerate it');
  var alert = { rule: rule[0], device: rule[1], level: flags & 0x80 ? 'critical' : 'warning', state: state, time: axonTime(axonUint(bytes, 3, 4) * 1000) };
  if (rule[2] !== null) alert.point = rule[2];
  if (kind === 1 || kind === 2) alert.value = kind === 2;
  if (kind === 3) {
    var raw = axonUint(bytes, 7, 4);
    var fixed = raw >= 2147483648 ? raw - 4294967296 : raw;
    var decimals = 3;
    if ((flags & 2) === 0 && rule[2] !== null) {
      for (var i = 0; i < AXON_CHANNELS.length; i++) {
        var ch = AXON_CHANNELS[i];
        if (ch[0] === rule[1] && ch[1] === rule[2] && ch[4] === 'n' && ch[5] !== 1) decimals = ch[3];
      }
    }
    alert.value = axonValue('n', decimals, fixed);
    if (flags & 4) alert.clipped = true;
  }
  return alert;
}

// An alert group (type 5): each entry back into the type-2 alert it was packed from, decoded as one.
function axonAlertGroup(bytes) {
  if (bytes.length < 9) throw new Error('alert group of ' + bytes.length + ' bytes');
  var base = axonUint(bytes, 1, 4);
  var alerts = [];
  var at = 5;
  while (at < bytes.length) {
    var flags = bytes[at + 1];
    var number = ((flags >> 3) & 3) === 3;
    var isShort = (flags & 1) !== 0;
    if (isShort && !number) throw new Error('alert group entry ' + (alerts.length + 1) + ': a 16-bit value without a number');
    var size = number ? (isShort ? 6 : 8) : 4;
    if (at + size > bytes.length) throw new Error('alert group entry ' + (alerts.length + 1) + ' is truncated');
    var t = base + axonUint(bytes, at + 2, 2);
    var single = [0x12, bytes[at], flags & 254, Math.floor(t / 16777216) % 256, Math.floor(t / 65536) % 256, Math.floor(t / 256) % 256, t % 256];
    if (number) {
      var raw = isShort ? axonUint(bytes, at + 4, 2) : axonUint(bytes, at + 4, 4);
      var value = isShort ? (raw >= 32768 ? raw - 65536 : raw) : raw;
      var u = value < 0 ? value + 4294967296 : value;
      single.push(Math.floor(u / 16777216) % 256, Math.floor(u / 65536) % 256, Math.floor(u / 256) % 256, u % 256);
    }
    alerts.push(axonAlert(single));
    at += size;
  }
  return alerts;
}

function axonStatus(bytes) {
  if (bytes.length !== 11 && bytes.length !== 17) throw new Error('status of ' + bytes.length + ' bytes (expected 11 or 17)');
  var status = { time: axonTime(axonUint(bytes, 1, 4) * 1000), dropped: axonUint(bytes, 5, 3), queued: axonUint(bytes, 8, 3) };
  if (bytes.length === 17) {
    var reason = ['malformed', 'unknown-target', 'out-of-bounds'][bytes[14] - 1];
    if (!reason) throw new Error('status refusal reason ' + bytes[14] + ' is not 1, 2 or 3: regenerate the codec');
    status.refused = { count: axonUint(bytes, 11, 2), downlink: bytes[13], reason: reason };
    var index = axonUint(bytes, 15, 2);
    if (index !== 65535) status.refused.index = index;
  }
  return status;
}

// Type 4 wraps a batch frame, an alert or an alert group with the sequence number a data-ack names.
function axonSequenced(bytes, warnings) {
  if (bytes.length < 4) throw new Error('sequenced message of ' + bytes.length + ' bytes');
  var inner = bytes.slice(3);
  var data;
  if (inner[0] === 0x11) data = { type: 'batch', readings: axonBatch(inner, warnings) };
  else if (inner[0] === 0x12) data = { type: 'alert', alert: axonAlert(inner) };
  else if (inner[0] === 0x15) data = { type: 'alerts', alerts: axonAlertGroup(inner) };
  else throw new Error('a sequenced message wraps a batch frame (0x11), an alert (0x12) or an alert group (0x15), not ' + inner[0]);
  var field = bytes[1] * 256 + bytes[2];
  data.seq = field % 32768;
  data.ackRequested = field >= 32768;
  return data;
}

// Where the gateway sends what (the site's fPortData / fPortAlert): another port is not Axon's.
function axonPortError(fPort) {
  if (fPort === undefined || fPort === null || fPort === AXON_PORTS.data || fPort === AXON_PORTS.alert) return undefined;
  return 'FPort ' + fPort + ' carries no Axon messages (readings and status on ' + AXON_PORTS.data + ', alerts on ' + AXON_PORTS.alert + '): check the site file\'s fPortData / fPortAlert and regenerate the codec';
}

function axonPortWarning(fPort, type) {
  if (fPort === undefined || fPort === null || AXON_PORTS.data === AXON_PORTS.alert) return undefined;
  var expected = type === 'alert' || type === 'alerts' ? AXON_PORTS.alert : AXON_PORTS.data;
  return fPort === expected ? undefined : 'the ' + type + ' message came on FPort ' + fPort + '; the gateway sends it on ' + expected;
}

function decodeUplink(input) {
  var bytes = input.bytes;
  try {
    var portError = axonPortError(input.fPort);
    if (portError) return { errors: [portError] };
    if (!bytes || bytes.length === 0) return { errors: ['empty payload'] };
    var warnings = [];
    var data;
    // CBOR maps (IP uplinks) start 0xa0-0xbf; binary frames carry the version in the high nibble.
    if ((bytes[0] & 0xe0) === 0xa0) data = axonCborMessage(bytes, warnings);
    else {
      var version = bytes[0] >> 4;
      var type = bytes[0] & 15;
      if (version !== 1) return { errors: ['format version ' + version + '; this codec reads version 1'] };
      if (type === 1) data = { type: 'batch', readings: axonBatch(bytes, warnings) };
      else if (type === 4) data = axonSequenced(bytes, warnings);
      else if (type === 2) data = { type: 'alert', alert: axonAlert(bytes) };
      else if (type === 5) data = { type: 'alerts', alerts: axonAlertGroup(bytes) };
      else if (type === 3) data = { type: 'status', status: axonStatus(bytes) };
      else return { errors: ['unknown message type ' + type] };
    }
    var portWarning = axonPortWarning(input.fPort, data.type);
    if (portWarning) warnings.push(portWarning);
    var result = { data: data };
    if (warnings.length > 0) result.warnings = warnings;
    return result;
  } catch (e) {
    return { errors: [String((e && e.message) || e)] };
  }
}
`;
