export * from './assets.js';
export * from './errors.js';
export * from './forms.js';
export * from './locale.js';
export * from './pages.js';
export * from './request.js';
export * from './security-headers.js';
export * from './service-app.js';
