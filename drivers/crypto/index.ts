export * from './aes128.js';
export * from './cmac.js';
