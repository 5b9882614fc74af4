export * from './assets.js';
export * from './errors.js';
export * from './pages.js';
export * from './security-headers.js';
