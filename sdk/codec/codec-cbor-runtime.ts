/**
 * The ES5.1 CBOR half of generated network-server codecs: the CBOR form of
 * Axon messages (drivers/batch/cbor.ts; batch, alert, status) that IP uplinks
 * carry and `axon decode uplink` reads, decoded to the same `data` as the
 * binary frames. A third implementation of RFC 8949's subset beside the core's
 * (drivers/batch/cbor-codec.ts) and cbor-x; tests hold all three to the same
 * answers. It accepts what the core accepts (definite and indefinite lengths,
 * float16/32/64, tags skipped, numeric map keys) and nests at most 32 deep.
 *
 * Expects the uplink half's AxonReader, axonChannelReadings, axonTime and AXON_STEPS,
 * the tables AXON_CHANNELS and AXON_RULES, and AXON_CHANNEL_LIMIT.
 */
export const CODEC_CBOR_RUNTIME = String.raw`
var AXON_CBOR_BREAK = {};

function AxonCborBytes(list) {
  this.list = list;
}

function AxonCbor(bytes) {
  this.b = bytes;
  this.p = 0;
}
AxonCbor.prototype.take = function (count) {
  if (this.p + count > this.b.length) throw new Error('CBOR needs ' + count + ' more bytes at byte ' + this.p);
  var at = this.p;
  this.p += count;
  return at;
};
AxonCbor.prototype.arg = function (info) {
  if (info < 24) return info;
  if (info === 31) return -1;
  if (info > 27) throw new Error('CBOR reserved length code ' + info + ' at byte ' + (this.p - 1));
  var count = Math.pow(2, info - 24);
  var at = this.take(count);
  var n = 0;
  for (var i = 0; i < count; i++) n = n * 256 + this.b[at + i];
  if (n > 9007199254740991) throw new Error('CBOR integer beyond 2^53 at byte ' + at);
  return n;
};
AxonCbor.prototype.float = function (size) {
  var at = this.take(size);
  var e = size === 2 ? 5 : size === 4 ? 8 : 11;
  var m = size * 8 - 1 - e;
  var r = new AxonReader(this.b, at);
  var sign = r.read(1) === 1 ? -1 : 1;
  var ex = r.read(e);
  var man = r.read(m);
  var bias = Math.pow(2, e - 1) - 1;
  if (ex === 0) return sign * man * Math.pow(2, 1 - bias - m);
  if (ex === Math.pow(2, e) - 1) return man === 0 ? sign * Infinity : NaN;
  return sign * (1 + man / Math.pow(2, m)) * Math.pow(2, ex - bias);
};
AxonCbor.prototype.chunks = function (major) {
  var out = [];
  for (;;) {
    var head = this.b[this.take(1)];
    if (head === 0xff) return out;
    if (head >> 5 !== major) throw new Error('CBOR chunk of another type inside an indefinite string');
    var n = this.arg(head & 31);
    if (n === -1) throw new Error('CBOR nested indefinite string');
    var at = this.take(n);
    for (var i = 0; i < n; i++) out.push(this.b[at + i]);
  }
};
AxonCbor.prototype.text = function (bytes) {
  var s = '';
  for (var i = 0; i < bytes.length; ) {
    var b = bytes[i];
    var extra = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (extra < 0 || i + extra >= bytes.length) throw new Error('CBOR text is not UTF-8');
    var c = extra === 0 ? b : b & (0x3f >> extra);
    for (var k = 1; k <= extra; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) throw new Error('CBOR text is not UTF-8');
      c = c * 64 + (bytes[i + k] & 63);
    }
    if (c > 0x10ffff) throw new Error('CBOR text is not UTF-8');
    s += c < 0x10000 ? String.fromCharCode(c) : String.fromCharCode(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 1023));
    i += extra + 1;
  }
  return s;
};
AxonCbor.prototype.value = function (depth) {
  var v = this.item(depth);
  if (v === AXON_CBOR_BREAK) throw new Error('CBOR break out of place at byte ' + (this.p - 1));
  return v;
};
AxonCbor.prototype.item = function (depth) {
  if (depth > 32) throw new Error('CBOR nested deeper than 32');
  var head = this.b[this.take(1)];
  var major = head >> 5;
  var info = head & 31;
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 25 || info === 26 || info === 27) return this.float(Math.pow(2, info - 24));
    if (info === 31) return AXON_CBOR_BREAK;
    if (info === 24) this.take(1);
    return undefined;
  }
  var n = this.arg(info);
  if (n === -1 && (major === 0 || major === 1 || major === 6)) throw new Error('CBOR indefinite length on major type ' + major);
  var i, at, list;
  if (major === 0) return n;
  if (major === 1) return -1 - n;
  if (major === 2 || major === 3) {
    if (n === -1) list = this.chunks(major);
    else {
      at = this.take(n);
      list = [];
      for (i = 0; i < n; i++) list.push(this.b[at + i]);
    }
    return major === 3 ? this.text(list) : new AxonCborBytes(list);
  }
  if (major === 4) {
    var items = [];
    for (i = 0; n === -1 || i < n; i++) {
      var item = this.item(depth + 1);
      if (item === AXON_CBOR_BREAK) {
        if (n === -1) break;
        throw new Error('CBOR break inside a definite array');
      }
      items.push(item);
    }
    return items;
  }
  if (major === 5) {
    var map = {};
    for (i = 0; n === -1 || i < n; i++) {
      var key = this.item(depth + 1);
      if (key === AXON_CBOR_BREAK) {
        if (n === -1) break;
        throw new Error('CBOR break inside a definite map');
      }
      if (typeof key !== 'string' && typeof key !== 'number') throw new Error('CBOR map key is neither text nor an integer');
      map[String(key)] = this.value(depth + 1);
    }
    return map;
  }
  return this.value(depth + 1);
};

function axonCborInt(v, min, max, what) {
  if (typeof v !== 'number' || v % 1 !== 0 || v < min || v > max) throw new Error('CBOR message: ' + what + ' is ' + v);
  return v;
}

function axonCborMap(v, what) {
  if (typeof v !== 'object' || v === null || v instanceof Array || v instanceof AxonCborBytes) throw new Error('CBOR message: ' + what + ' is not a map');
  return v;
}

function axonCborIntList(v, min, max, what) {
  if (!(v instanceof Array)) throw new Error('CBOR message: ' + what + ' is not an array');
  for (var i = 0; i < v.length; i++) axonCborInt(v[i], min, max, what + '[' + i + ']');
  return v;
}

function axonCborBatch(m, warnings) {
  var stepS = m.step;
  var known = false;
  for (var s = 0; s < AXON_STEPS.length; s++) if (AXON_STEPS[s] === stepS) known = true;
  if (!known) throw new Error('CBOR message: time step ' + stepS);
  var baseS = axonCborInt(m.t0, 0, 4294967295, 't0');
  if (!(m.ch instanceof Array)) throw new Error('CBOR message: ch is not an array');
  var entries = [];
  var i, j;
  for (i = 0; i < m.ch.length; i++) {
    var e = m.ch[i];
    if (!(e instanceof Array) || e.length !== 3) throw new Error('CBOR message: ch[' + i + '] is not [channel, times, values]');
    axonCborInt(e[0], 0, AXON_CHANNEL_LIMIT - 1, 'ch[' + i + '] channel');
    var ks = axonCborIntList(e[1], 0, 16777216, 'ch[' + i + '] times');
    var values = axonCborIntList(e[2], -AXON_MAGNITUDE, AXON_MAGNITUDE, 'ch[' + i + '] values');
    if (ks.length !== values.length || ks.length === 0) throw new Error('CBOR message: ch[' + i + '] has ' + ks.length + ' times and ' + values.length + ' values');
    entries.push(e);
  }
  var readings = [];
  for (i = 0; i < entries.length; i++) {
    var timesMs = [];
    for (j = 0; j < entries[i][1].length; j++) timesMs.push((baseS + entries[i][1][j] * stepS) * 1000);
    axonChannelReadings(readings, warnings, entries[i][0], timesMs, entries[i][2]);
  }
  readings.sort(function (x, y) {
    return x.time < y.time ? -1 : x.time > y.time ? 1 : x.channel - y.channel;
  });
  return readings;
}

function axonCborAlert(m) {
  var rule = typeof m.r === 'number' ? AXON_RULES[m.r] : undefined;
  if (!rule) throw new Error('alert for rule index ' + m.r + ', unknown to this codec: regenerate it');
  if (m.lvl !== 'warning' && m.lvl !== 'critical') throw new Error('CBOR message: alert level ' + m.lvl);
  if (m.st !== 'raised' && m.st !== 'cleared' && m.st !== 'acknowledged') throw new Error('CBOR message: alert state ' + m.st);
  var alert = { rule: rule[0], device: rule[1], level: m.lvl, state: m.st, time: axonTime(axonCborInt(m.t, 0, 4294967295, 't') * 1000) };
  if (rule[2] !== null) alert.point = rule[2];
  if (m.x !== undefined) {
    if (typeof m.x !== 'boolean' && (typeof m.x !== 'number' || !isFinite(m.x))) throw new Error('CBOR message: alert value ' + m.x);
    alert.value = m.x;
  }
  return alert;
}

var AXON_REFUSALS = ['malformed', 'unknown-target', 'out-of-bounds'];

function axonCborStatus(m) {
  var status = { time: axonTime(axonCborInt(m.t, 0, 4294967295, 't') * 1000), dropped: axonCborInt(m.dropped, 0, 9007199254740991, 'dropped'), queued: axonCborInt(m.queued, 0, 9007199254740991, 'queued') };
  if (m.refused === undefined) return status;
  var r = axonCborMap(m.refused, 'refused');
  var known = false;
  for (var i = 0; i < AXON_REFUSALS.length; i++) if (AXON_REFUSALS[i] === r.why) known = true;
  if (!known) throw new Error('CBOR message: refused.why is ' + r.why);
  status.refused = { count: axonCborInt(r.n, 0, 9007199254740991, 'refused.n'), downlink: axonCborInt(r.dl, 0, 9007199254740991, 'refused.dl'), reason: r.why };
  if (r.ix !== undefined) status.refused.index = axonCborInt(r.ix, 0, 9007199254740991, 'refused.ix');
  return status;
}

function axonCborMessage(bytes, warnings) {
  var c = new AxonCbor(bytes);
  var m = axonCborMap(c.value(0), 'message');
  if (c.p !== bytes.length) throw new Error('CBOR: ' + (bytes.length - c.p) + ' bytes left after the message');
  if (m.v !== 1) throw new Error('format version ' + m.v + '; this codec reads version 1');
  if (m.m === 'batch') return { type: 'batch', readings: axonCborBatch(m, warnings) };
  if (m.m === 'alert') return { type: 'alert', alert: axonCborAlert(m) };
  if (m.m === 'status') return { type: 'status', status: axonCborStatus(m) };
  throw new Error('CBOR message: unknown message kind ' + m.m);
}
`;
