/**
 * The `axon lorawan` group, registered in sdk/cli/axon.ts with
 *   GROUPS: LORAWAN_GROUP   COMMANDS: ...LORAWAN_COMMANDS
 */
import type { Command } from '../command.js';
import { lorawanAirtime } from './lorawan-airtime.js';
import { lorawanDecode } from './lorawan-decode.js';
import { lorawanEncode } from './lorawan-encode.js';
import { lorawanJoinRequest } from './lorawan-join-request.js';

export const LORAWAN_GROUP = { name: 'lorawan', summary: 'encode, decode and verify LoRaWAN 1.0.x frames; time on air' } as const;

export const LORAWAN_COMMANDS: readonly Command[] = [lorawanEncode, lorawanDecode, lorawanJoinRequest, lorawanAirtime];
