// The polyfill must run before @peculiar/x509 is evaluated; a side-effect import is never reordered.
import './reflect-metadata.js';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, loaded after its Reflect polyfill and set to Node's WebCrypto. Import it from here. */
export { x509 };
