/**
 * What the device does with each MAC command the network sent, and what it
 * answers. Separate from the MAC's transaction logic so every rule is in one
 * place and testable on its own. Answers that must be repeated until the
 * network shows it heard them (RXParamSetupAns, RXTimingSetupAns,
 * DlChannelAns: a lost answer would leave device and network on different
 * receive settings) are returned as `sticky`.
 */
import type { Region } from '../regions/index.js';
import type { ChannelPlan } from './channels.js';
import {
  decodeDownlinkCommands, devStatusAns, dlChannelAns, dutyCycleAns, linkAdrAns, newChannelAns, rxParamSetupAns, rxTimingSetupAns,
  txParamSetupAns, type DownlinkCommand,
} from './mac-commands.js';
import { loraModulation, maxPayloadAt, type MacRegionRules } from './region-rules.js';
import type { Session } from './session.js';

/** The radio settings ADR controls. */
export interface RadioSettings {
  dataRate: number;
  txPowerIndex: number;
  nbTrans: number;
  /** AS923 uplink dwell time (TxParamSetupReq). */
  dwellTime: 0 | 400;
  /** EIRP ceiling, dBm (region default, lowered or raised by TxParamSetupReq). */
  maxEirpDbm: number;
  /** 1/2^MaxDCycle (DutyCycleReq); 1 = no aggregated limit. */
  aggregateDutyCycle: number;
}

export interface CommandContext {
  region: Region;
  rules: MacRegionRules;
  channels: ChannelPlan;
  radio: RadioSettings;
  session: Session;
  /** DevStatusAns battery: 0 external power, 1–254 level, 255 unknown. */
  battery(): number;
  /** SNR of the downlink carrying the commands, dB. */
  snrDb: number | undefined;
}

export interface CommandOutcome {
  answers: Uint8Array[];
  sticky: Uint8Array[];
  /** Bytes that could not be read (unknown CID, truncated command). */
  ignoredBytes: number;
  sessionChanged: boolean;
  radioChanged: boolean;
  linkCheck?: { marginDb: number; gatewayCount: number };
  deviceTime?: { gpsSeconds: number; fraction: number };
}

/** TxParamSetupReq MaxEIRP codes, dBm. */
const MAX_EIRP_DBM = [8, 10, 12, 13, 14, 16, 18, 20, 21, 24, 26, 27, 29, 30, 33, 36];

export function applyDownlinkCommands(bytes: Uint8Array, context: CommandContext): CommandOutcome {
  const { commands, stoppedAt } = decodeDownlinkCommands(bytes);
  const outcome: CommandOutcome = {
    answers: [], sticky: [], ignoredBytes: stoppedAt === undefined ? 0 : bytes.length - stoppedAt, sessionChanged: false, radioChanged: false,
  };
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i];
    if (command.type === 'LinkADRReq') {
      // Consecutive LinkADRReqs form one block (US915/CN470 need several masks): all or nothing.
      let end = i;
      while (end + 1 < commands.length && commands[end + 1].type === 'LinkADRReq') end++;
      linkAdr(commands.slice(i, end + 1) as Array<Extract<DownlinkCommand, { type: 'LinkADRReq' }>>, context, outcome);
      i = end;
    } else {
      applyOne(command, context, outcome);
    }
  }
  return outcome;
}

function linkAdr(block: Array<Extract<DownlinkCommand, { type: 'LinkADRReq' }>>, context: CommandContext, outcome: CommandOutcome): void {
  const { region, rules, channels, radio } = context;
  const last = block[block.length - 1];
  const enabled = channels.previewMasks(block);
  // 15 (0xF) means "keep the current value" (LoRaWAN 1.0.4).
  const dr = last.dataRate === 15 ? radio.dataRate : last.dataRate;
  const power = last.txPower === 15 ? radio.txPowerIndex : last.txPower;
  const maskOk = enabled !== undefined;
  const drOk = region.uplinkDataRates.includes(dr) && loraModulation(region, dr) !== undefined
    && maxPayloadAt(region, dr, radio.dwellTime) !== undefined && channels.offers(dr, enabled);
  const powerOk = power <= rules.maxTxPowerIndex;
  if (maskOk && drOk && powerOk) {
    channels.setEnabled(enabled);
    radio.dataRate = dr;
    radio.txPowerIndex = power;
    radio.nbTrans = last.nbTrans === 0 ? 1 : last.nbTrans;
    outcome.radioChanged = true;
  }
  for (let k = 0; k < block.length; k++) outcome.answers.push(linkAdrAns(powerOk, drOk, maskOk));
}

function frequencyOk(region: Region, frequency: number): boolean {
  try {
    region.dutyCycleOf(frequency);
    return true;
  } catch {
    return false;
  }
}

function applyOne(command: DownlinkCommand, context: CommandContext, outcome: CommandOutcome): void {
  const { region, channels, radio, session } = context;
  switch (command.type) {
    case 'LinkCheckAns':
      outcome.linkCheck = { marginDb: command.margin, gatewayCount: command.gwCnt };
      return;
    case 'DeviceTimeAns':
      outcome.deviceTime = { gpsSeconds: command.gpsSeconds, fraction: command.fraction };
      return;
    case 'DutyCycleReq':
      radio.aggregateDutyCycle = command.maxDCycle === 0 ? 1 : 1 / 2 ** command.maxDCycle;
      outcome.radioChanged = true;
      outcome.answers.push(dutyCycleAns());
      return;
    case 'RXParamSetupReq': {
      const offsetOk = command.rx1DrOffset <= region.maxRx1DrOffset;
      const drOk = loraModulation(region, command.rx2DataRate) !== undefined;
      const channelOk = frequencyOk(region, command.frequency);
      if (offsetOk && drOk && channelOk) {
        session.rx1DrOffset = command.rx1DrOffset;
        session.rx2 = { frequency: command.frequency, dataRate: command.rx2DataRate };
        outcome.sessionChanged = true;
      }
      outcome.sticky.push(rxParamSetupAns(offsetOk, drOk, channelOk));
      return;
    }
    case 'DevStatusReq':
      outcome.answers.push(devStatusAns(context.battery(), context.snrDb ?? 0));
      return;
    case 'NewChannelReq': {
      const [freqOk, drOk] = channels.newChannel(command.chIndex, command.frequency, command.minDr, command.maxDr);
      if (region.name === 'EU868' || region.name === 'AS923') outcome.answers.push(newChannelAns(freqOk, drOk));
      return;
    }
    case 'RXTimingSetupReq':
      session.rx1DelayMs = command.delayS * 1000;
      outcome.sessionChanged = true;
      outcome.sticky.push(rxTimingSetupAns());
      return;
    case 'TxParamSetupReq':
      // Only AS923 defines it; elsewhere the device stays silent (RP002).
      if (region.name !== 'AS923') return;
      radio.dwellTime = command.uplinkDwell ? 400 : 0;
      radio.maxEirpDbm = MAX_EIRP_DBM[command.maxEirpIndex];
      outcome.radioChanged = true;
      outcome.answers.push(txParamSetupAns());
      return;
    case 'DlChannelReq': {
      const [freqOk, exists] = channels.setRx1Frequency(command.chIndex, command.frequency);
      if (region.name === 'EU868' || region.name === 'AS923') outcome.sticky.push(dlChannelAns(freqOk, exists));
      return;
    }
    case 'LinkADRReq':
      return; // handled as a block above
  }
}
