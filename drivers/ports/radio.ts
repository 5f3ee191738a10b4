/**
 * A LoRa radio as a class A LoRaWAN end device needs it: send one packet, then
 * listen in short windows at exact times. The MAC owns all timing; the radio
 * only reports when things happened on the shared Clock.
 *
 * Implementations:
 *  - drivers/radio: SX1262/SX1268 (command set) and SX1276/SX1278
 *    (registers) on the SPI port (drivers/ports/spi.ts); the Raspberry Pi
 *    gives them spidev and its GPIO lines, the ESP32 ECMA-419
 *    `embedded:io/spi` and `embedded:io/digital`.
 *  - Tests and fleet simulations: simulators/radio (SimulatedLoraChannel),
 *    directly or behind the chip simulators (sx126x-chip.ts, sx127x-chip.ts).
 *
 * LoRaWAN conventions the host applies, so the MAC never has to:
 *  - uplinks use normal IQ and CRC on; receive windows use inverted IQ (the
 *    network's downlinks), so a device never hears another device's uplink;
 *  - LoRaWAN sync word (0x34), 8 preamble symbols, coding rate 4/5, explicit
 *    header, low-data-rate optimisation at SF11/SF12 on 125 kHz.
 * FSK data rates (EU868 DR7) are not part of this port.
 */

/** LoRa modulation settings: spreading factor 7–12, bandwidth in kHz. */
export interface LoraModulation {
  sf: number;
  bw: 125 | 250 | 500;
}

export interface RadioTransmitRequest extends LoraModulation {
  /** Centre frequency, Hz. */
  freqHz: number;
  /** Transmit power (EIRP), dBm, as the MAC computed it from the region and LinkADRReq. */
  powerDbm: number;
  /** The whole PHYPayload (MHDR … MIC), at most 255 bytes. */
  payload: Uint8Array;
}

export interface RadioTransmitResult {
  /** Time on air of the packet, ms. */
  airtimeMs: number;
  /** Clock time (Clock.now()) at which the packet ended: RX1 opens RxDelay after this. */
  endMs: number;
}

export interface RadioReceiveRequest extends LoraModulation {
  freqHz: number;
  /**
   * How long to listen for a preamble, ms, starting at the current clock time.
   * A packet whose preamble starts inside the window is received to its end
   * even if that is after the window closes (the SX127x "RX single" mode).
   */
  windowMs: number;
}

/** Signal quality of the last packet `receive()` returned. */
export interface RadioPacketStatus {
  rssiDbm: number;
  snrDb: number;
}

export interface Radio {
  /**
   * Send `payload` now. Resolves when the packet has left the antenna, on the
   * clock (so `clock.now()` then equals `endMs`). Rejects when the radio is
   * busy (a transmission or a receive window in progress) or closed.
   */
  transmit(request: RadioTransmitRequest): Promise<RadioTransmitResult>;
  /**
   * Open a receive window at the current clock time. Resolves with the
   * PHYPayload of a packet received in it (CRC checked by the radio when
   * present; LoRaWAN downlinks carry none), or `undefined` when the window
   * closed without one.
   */
  receive(request: RadioReceiveRequest): Promise<Uint8Array | undefined>;
  /** RSSI and SNR of the last packet `receive()` returned (DevStatusAns margin, ADR logs). */
  packetStatus(): RadioPacketStatus | undefined;
  /** Stop any window in progress (its promise resolves `undefined`) and release the hardware. */
  close(): void;
}
