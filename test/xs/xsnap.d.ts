// @agoric/xsnap ships JavaScript without type declarations; worker.ts narrows what it uses.
declare module '@agoric/xsnap';
declare module '@endo/init';
