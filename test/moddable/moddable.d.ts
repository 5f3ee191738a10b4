/// <reference path="../../firmware/esp32/sim/axon-heap.d.ts" />
/** The Moddable module the in-app test runner (app.ts) uses besides axon-stdout; the rest of test/ is Node. */
declare module 'timer' {
  const Timer: {
    set(callback: () => void, interval: number): object;
    clear(timer: object): void;
  };
  export default Timer;
}
