/**
 * The network server's only door to lora-packet, an implementation of
 * LoRaWAN independent of drivers/lorawan. Every MIC the simulator accepts and
 * every payload it decrypts goes through here, so a mistake shared by our
 * device-side encoder and our own decoder cannot make a test pass.
 *
 * lora-packet is CommonJS with loose typings (optional Buffers everywhere,
 * `null` for absent fields, plain Errors); this module narrows it to
 * Uint8Array in, Uint8Array / boolean out, and keeps the two traps in one
 * place: DevAddr, EUIs and nonces are big-endian Buffers, and the upper 16
 * bits of a 32-bit FCnt must be passed separately (the "MIC BAD after 65,535
 * frames" issue).
 */
import loraPacketCjs from 'lora-packet';

// `module.exports = modules` in CommonJS: the ESM default import is that object, while the
// typings describe it one level down as `.default` (see drivers/lorawan/lora-packet.test.ts).
const lp = loraPacketCjs as unknown as typeof loraPacketCjs.default;

type Packet = ReturnType<typeof lp.fromWire>;

export interface LpSessionKeys {
  nwkSKey: Uint8Array;
  appSKey: Uint8Array;
}

/** FCntMSBytes as lora-packet wants them: counter bits 16–23 then 24–31 (their order in the B0/Ai blocks). */
function fCntUpperBytes(fCnt: number): Buffer {
  return Buffer.from([(fCnt >>> 16) & 0xff, (fCnt >>> 24) & 0xff]);
}

/** Big-endian bytes, the way lora-packet takes NetID, nonces and DevAddr. */
function bigEndian(value: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[size - 1 - i] = Math.floor(value / 256 ** i) & 0xff;
  return out;
}

/** lora-packet throws plain Errors on short input; the caller gets `undefined` instead. */
function parse(phy: Uint8Array): Packet | undefined {
  try {
    return lp.fromWire(Buffer.from(phy));
  } catch {
    return undefined;
  }
}

/** True when the data frame's MIC is right for `nwkSKey` and the full 32-bit counter `fCnt`. */
export function lpVerifyDataMic(phy: Uint8Array, nwkSKey: Uint8Array, fCnt: number): boolean {
  const packet = parse(phy);
  if (packet === undefined || !packet.isDataMessage()) return false;
  return lp.verifyMIC(packet, Buffer.from(nwkSKey), undefined, fCntUpperBytes(fCnt));
}

/** Decrypt FRMPayload (AppSKey for FPort > 0, NwkSKey for FPort 0); empty when the frame has no FPort. */
export function lpDecryptData(phy: Uint8Array, keys: LpSessionKeys, fCnt: number): Uint8Array {
  const packet = parse(phy);
  if (packet === undefined || !packet.isDataMessage()) throw new Error('lpDecryptData: not a data frame');
  if (packet.getFPort() === null) return new Uint8Array(0);
  return new Uint8Array(lp.decrypt(packet, Buffer.from(keys.appSKey), Buffer.from(keys.nwkSKey), fCntUpperBytes(fCnt)));
}

/** True when a join request's MIC is right for `appKey`. */
export function lpVerifyJoinRequest(phy: Uint8Array, appKey: Uint8Array): boolean {
  const packet = parse(phy);
  if (packet === undefined || !packet.isJoinRequestMessage()) return false;
  return lp.verifyMIC(packet, undefined, Buffer.from(appKey));
}

export interface LpJoinAccept {
  joinNonce: number;
  netId: number;
  devAddr: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  rxDelay: number;
}

/**
 * Decrypt a join accept the way a device would and check its MIC; undefined
 * when lora-packet does not accept it. Used on every join accept we send.
 */
export function lpOpenJoinAccept(phy: Uint8Array, appKey: Uint8Array): LpJoinAccept | undefined {
  const packet = parse(phy);
  if (packet === undefined || !packet.isJoinAcceptMessage()) return undefined;
  const key = Buffer.from(appKey);
  const plain = parse(lp.decryptJoinAccept(packet, key));
  if (plain === undefined || !lp.verifyMIC(plain, undefined, key)) return undefined;
  const readBe = (buffer: Buffer | undefined) => (buffer === undefined ? -1 : buffer.readUIntBE(0, buffer.length));
  return {
    joinNonce: readBe(plain.AppNonce),
    netId: readBe(plain.NetID),
    devAddr: readBe(plain.DevAddr),
    rx1DrOffset: plain.getDLSettingsRxOneDRoffset() ?? -1,
    rx2DataRate: plain.getDLSettingsRxTwoDataRate() ?? -1,
    rxDelay: plain.getRxDelayDel() ?? -1,
  };
}

/** LoRaWAN 1.0.x session keys as lora-packet derives them. */
export function lpSessionKeys(appKey: Uint8Array, nonces: { netId: number; joinNonce: number; devNonce: number }): LpSessionKeys {
  const keys = lp.generateSessionKeys10(Buffer.from(appKey), bigEndian(nonces.netId, 3), bigEndian(nonces.joinNonce, 3), bigEndian(nonces.devNonce, 2));
  return { nwkSKey: new Uint8Array(keys.NwkSKey), appSKey: new Uint8Array(keys.AppSKey) };
}
