/** The two Moddable globals and modules the in-app test runner (app.ts) uses; the rest of test/ is Node. */
declare module 'timer' {
  const Timer: {
    set(callback: () => void, interval: number): object;
    clear(timer: object): void;
  };
  export default Timer;
}
/** Moddable's trace(): in a -d build, text to the debugger connection. */
declare const trace: (text: string) => void;
