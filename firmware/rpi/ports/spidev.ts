/**
 * The SpiDevice port (drivers/ports/spi.ts) on Linux spidev, through the npm
 * package spi-device: a maintained binding of the spidev ioctl (the same
 * author's i2c-bus and onoff are the Pi's usual I2C and GPIO packages), with
 * synchronous full-duplex transfers, which is what a radio command is. The
 * kernel drives chip select (/dev/spidev<bus>.<cs>).
 *
 * spi-device is an optional dependency (it compiles a native addon), so it is
 * loaded when a radio is opened, and its absence is a clear error then.
 */
import { createRequire } from 'node:module';
import { AxonError } from '../../../drivers/errors.js';
import type { SpiDevice, SpiSettings } from '../../../drivers/ports/spi.js';

/** The part of spi-device's API used here (its own typings, narrowed). */
interface SpiDeviceModule {
  openSync(bus: number, device: number, options?: { mode?: number; maxSpeedHz?: number }): {
    transferSync(message: Array<{ byteLength: number; sendBuffer?: Uint8Array; receiveBuffer?: Uint8Array; speedHz?: number }>): unknown;
    closeSync(): void;
  };
}

/** `/dev/spidev0.0` → bus 0, chip select 0; undefined when the path is not a spidev node. */
export function parseSpidevPath(path: string): { bus: number; chipSelect: number } | undefined {
  const match = /^\/dev\/spidev(\d+)\.(\d+)$/.exec(path);
  return match === null ? undefined : { bus: Number(match[1]), chipSelect: Number(match[2]) };
}

let loaded: SpiDeviceModule | undefined;

/** spi-device, or SPI_UNAVAILABLE with the fix. */
export function loadSpiDevice(): SpiDeviceModule {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('spi-device') as SpiDeviceModule;
    return loaded;
  } catch (error) {
    throw new AxonError('SPI_UNAVAILABLE', `the npm package spi-device cannot be loaded: ${(error as Error).message.split('\n')[0]}`, {
      where: 'SPI radio',
      fix: 'install it on the Pi with `npm install spi-device` (it builds a small native addon: `sudo apt-get install build-essential` first)',
      cause: error,
    });
  }
}

export function openSpidev(path: string, settings: SpiSettings): SpiDevice {
  const address = parseSpidevPath(path);
  if (address === undefined) {
    throw new AxonError('SPI_PATH', `${path} is not a spidev device`, { where: 'radio.spi', fix: 'write /dev/spidev<bus>.<chip select>, e.g. /dev/spidev0.0 (enable SPI with `sudo raspi-config nonint do_spi 0`)' });
  }
  const spi = loadSpiDevice();
  let device: ReturnType<SpiDeviceModule['openSync']>;
  try {
    device = spi.openSync(address.bus, address.chipSelect, { mode: settings.mode ?? 0, maxSpeedHz: settings.hz });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const fix = code === 'ENOENT'
      ? 'enable SPI (`sudo raspi-config nonint do_spi 0`, or dtparam=spi=on in /boot/firmware/config.txt) and reboot; check the bus and chip select'
      : code === 'EACCES' ? 'add the gateway user to the spi group (`sudo usermod -aG spi $USER`) and log in again' : 'check that no other program holds the device';
    throw new AxonError('SPI_OPEN', `cannot open ${path}: ${(error as Error).message}`, { where: 'radio.spi', fix, cause: error });
  }
  let open = true;
  return {
    transfer(bytes: Uint8Array): Uint8Array {
      if (!open) throw new AxonError('SPI_CLOSED', 'transfer after close', { where: path });
      const receive = new Uint8Array(bytes.length);
      device.transferSync([{ byteLength: bytes.length, sendBuffer: Buffer.from(bytes), receiveBuffer: Buffer.from(receive.buffer), speedHz: settings.hz }]);
      return receive;
    },
    close(): void {
      if (!open) return;
      open = false;
      device.closeSync();
    },
  };
}
