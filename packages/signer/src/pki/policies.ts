/**
 * Signet's object identifiers. Signet has no registered OID arc, so its arc is a UUID-based OID
 * (ITU-T X.667 / RFC 4122 §4: `2.25.` and the decimal of a UUID generated once, for this), which
 * needs no registration and collides with no one's. docs/decisions/0014-certificate-profiles.md.
 */
export const SIGNET_ARC = '2.25.281694724416018215110140289204226069377';

/** `arc.1`: the certificate and timestamp policies under which Signet's CA and TSA issue. */
const POLICIES = `${SIGNET_ARC}.1`;

/** A natural person's signing certificate (ETSI EN 319 412-2 profile; not a qualified certificate). */
export const POLICY_PERSON_SIGNING = `${POLICIES}.1`;
/** An organisation's seal certificate (ETSI EN 319 412-3 profile); defined here, issued later. */
export const POLICY_ORGANISATION_SEAL = `${POLICIES}.2`;
/**
 * The timestamp authority: the TSTInfo `policy` of every token (RFC 3161 §2.4.2) and the
 * certificatePolicies of the TSA's certificate.
 */
export const POLICY_TIMESTAMPING = `${POLICIES}.3`;

/**
 * An OID as parsed by asn1js (pkijs, @peculiar/x509), in plain dotted decimal. asn1js 3 cannot
 * decode an arc longer than 8 base-128 octets, so it prints `2.25.<uuid>` arcs as
 * `{hex of the base-128 octets}`; this decodes those back, so parsed OIDs compare with ours.
 */
export function dottedOid(parsed: string): string {
  return parsed.replace(/\{([0-9a-fA-F]+)\}/g, (_, hex: string) => {
    let value = 0n;
    for (const byte of Buffer.from(hex, 'hex')) value = value * 128n + BigInt(byte & 0x7f);
    return value.toString();
  });
}
