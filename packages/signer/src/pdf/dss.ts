import { createHash } from 'node:crypto';
import { type PDF, PdfArray, PdfDict, PdfName, PdfRef, PdfStream } from '@libpdf/core';
import type { RevocationData } from './revocation.js';

/** What a Document Security Store holds (PAdES, ETSI EN 319 142-1 §5.4): certificates, OCSP responses, CRLs, DER. */
export interface DocumentSecurityStore extends RevocationData {
  certs: Uint8Array[];
}

// A DSS holds a handful of entries per signature; more than this is not validation data but a load.
const MAX_ENTRIES = 2_000;

/** Reads the catalog's /DSS of a loaded document; empty lists when there is none. */
export function readDss(document: PDF): DocumentSecurityStore {
  const deref = dereferencer(document);
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

const DSS_LISTS = { certs: ['Certs', 'Cert'], ocsps: ['OCSPs', 'OCSP'], crls: ['CRLs', 'CRL'] } as const;

/**
 * Adds validation data to the catalog's /DSS (a new DSS dictionary for the next incremental
 * update): entries already there keep their objects, new ones (by content) get a stream each, and
 * a /VRI entry keyed by the upper-case SHA-1 of `signatureContents` (the signature's whole
 * /Contents, padding included: PDF 2.0 §12.8.4.4) lists what validates that signature. Everything
 * else the DSS held (earlier VRI entries) is kept.
 */
export function addToDss(document: PDF, data: DocumentSecurityStore, signatureContents: Uint8Array): void {
  const registry = document.context.registry;
  const deref = dereferencer(document);
  const catalog = document.getCatalog();
  const previous = deref(catalog.get('DSS'));
  const dss = new PdfDict();
  if (previous instanceof PdfDict) for (const [key, value] of previous) dss.set(key, value);
  dss.set('Type', PdfName.of('DSS'));
  const vri = new PdfDict();
  for (const [kind, [listKey, vriKey]] of Object.entries(DSS_LISTS) as [
    keyof typeof DSS_LISTS,
    readonly [string, string],
  ][]) {
    const array = deref(dss.get(listKey));
    const refs = array instanceof PdfArray ? array.toArray().filter((r): r is PdfRef => r instanceof PdfRef) : [];
    const byContent = new Map<string, PdfRef>();
    for (const ref of refs) {
      const stream = deref(ref);
      if (stream instanceof PdfStream) byContent.set(sha1(stream.getDecodedData()), ref);
    }
    const mine = new Map<string, PdfRef>();
    for (const der of data[kind]) {
      const hash = sha1(der);
      let ref = byContent.get(hash);
      if (!ref) {
        ref = registry.register(new PdfStream(new PdfDict(), der));
        byContent.set(hash, ref);
        refs.push(ref);
      }
      mine.set(hash, ref);
    }
    if (refs.length > 0) dss.set(listKey, new PdfArray(refs));
    if (mine.size > 0) vri.set(vriKey, new PdfArray([...mine.values()]));
  }
  const allVri = new PdfDict();
  const before = deref(dss.get('VRI'));
  if (before instanceof PdfDict) for (const [key, value] of before) allVri.set(key, value);
  allVri.set(sha1(signatureContents).toUpperCase(), vri);
  dss.set('VRI', allVri);
  catalog.set('DSS', registry.register(dss));
}

/** Resolves an indirect reference of `document`; any other value as it is. */
function dereferencer(document: PDF): (value: unknown) => unknown {
  const registry = document.context.registry;
  return (value) => (value instanceof PdfRef ? registry.resolve(value) : value);
}

function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}
