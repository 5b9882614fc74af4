import type { RevocationProvider } from '@libpdf/core';
import type { DocumentSecurityStore } from './dss.js';

/**
 * The validation data of certificate chains (each leaf first, ending at its root): the
 * certificates, an OCSP response for each certificate that has an issuer in the chain, and the
 * issuer's CRL where there is no OCSP answer (the root, which no one above it answers for). The
 * chains are the ones the caller signed with, so nothing is parsed out of the CMS again (what
 * @libpdf/core's own gathering costs, ADR 0037). Throws when a certificate gets neither: a B-LTA
 * signature missing its validation data would pass for long-term validatable. OCSP responses
 * are taken to be signed by the issuer in the chain (ours are, by the root itself: ADR 0015), so
 * no responder certificate is added.
 */
export async function validationData(
  chains: Uint8Array[][],
  provider: RevocationProvider,
): Promise<DocumentSecurityStore> {
  const data: DocumentSecurityStore = { certs: [], ocsps: [], crls: [] };
  for (const chain of chains) {
    for (const [i, certificate] of chain.entries()) {
      data.certs.push(certificate);
      const issuer = chain[i + 1];
      const ocsp = issuer && provider.getOCSP ? await provider.getOCSP(certificate, issuer) : null;
      if (ocsp) {
        data.ocsps.push(ocsp);
        continue;
      }
      const crl = provider.getCRL ? await provider.getCRL(certificate) : null;
      if (!crl)
        throw new Error(`long-term validation data incomplete: no OCSP response or CRL for certificate ${i + 1}`);
      data.crls.push(crl);
    }
  }
  return data;
}
