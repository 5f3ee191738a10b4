/** A digital output (relay, buzzer, LED, RS-485 DE/RE) or input, after ECMA-419 `embedded:io/digital`. */
export interface DigitalOutput {
  write(value: 0 | 1): void;
  close(): void;
}

export interface DigitalInput {
  read(): 0 | 1;
  onReadable: (() => void) | undefined;
  close(): void;
}
