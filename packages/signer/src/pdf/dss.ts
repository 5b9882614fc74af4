import { type PDF, PdfArray, PdfDict, PdfRef, PdfStream } from '@libpdf/core';
import type { RevocationData } from './revocation.js';

/** What a Document Security Store holds (PAdES, ETSI EN 319 142-1 §5.4): certificates, OCSP responses, CRLs, DER. */
export interface DocumentSecurityStore extends RevocationData {
  certs: Uint8Array[];
}

// A DSS holds a handful of entries per signature; more than this is not validation data but a load.
const MAX_ENTRIES = 2_000;

/** Reads the catalog's /DSS of a loaded document; empty lists when there is none. */
export function readDss(document: PDF): DocumentSecurityStore {
  const registry = document.context.registry;
  const resolve = registry.resolve.bind(registry);
  const deref = (value: unknown) => (value instanceof PdfRef ? resolve(value) : value);
  const dss = deref(document.getCatalog().get('DSS'));
  const list = (key: string): Uint8Array[] => {
    if (!(dss instanceof PdfDict)) return [];
    const array = deref(dss.get(key));
    if (!(array instanceof PdfArray)) return [];
    const out: Uint8Array[] = [];
    for (const item of array.toArray().slice(0, MAX_ENTRIES)) {
      const stream = deref(item);
      if (!(stream instanceof PdfStream)) continue;
      try {
        out.push(stream.getDecodedData());
      } catch {
        // An entry that does not decode is no evidence; the others still count.
      }
    }
    return out;
  };
  return { certs: list('Certs'), ocsps: list('OCSPs'), crls: list('CRLs') };
}

/** Whether the document has a /DSS at all. */
export function hasDss(document: PDF): boolean {
  return document.getCatalog().has('DSS');
}
