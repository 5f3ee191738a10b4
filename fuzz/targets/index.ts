/** Every fuzz target, in a fixed order (a run's inputs depend on it). */
import type { FuzzTarget } from '../target.js';
import { cjt188Target, dlt645Target, modbusRtuTarget, modbusTcpTarget } from './fieldbus.js';
import { manifestTarget, siteTarget } from './json.js';
import { lorawanFrameTarget, lorawanMacTarget } from './lorawan.js';
import { atReplyTarget, urcTarget } from './nbiot.js';
import { alertStatusTarget, batchTarget, cborTarget, gatewayDownlinkTarget } from './uplink.js';

export async function allTargets(): Promise<FuzzTarget[]> {
  return [
    modbusRtuTarget(),
    modbusTcpTarget(),
    await dlt645Target(),
    await cjt188Target(),
    atReplyTarget(),
    urcTarget(),
    lorawanFrameTarget(),
    lorawanMacTarget(),
    gatewayDownlinkTarget(),
    batchTarget(),
    alertStatusTarget(),
    cborTarget(),
    siteTarget(),
    manifestTarget(),
  ];
}
