import type { Locale } from '../locale.js';
import { en } from './en.js';
import { es } from './es.js';

/**
 * Every piece of text the signing pages show, in one language. Placeholders in braces
 * (`{name}`) are filled by the renderer, escaped and shown emphasised.
 */
export interface Messages {
  /** The product name, in the header and the document title. */
  brand: string;
  /** Names the language switch in every page's header. */
  languages: string;
  /** The Signer's home page at `/`: what it is, and where developers go. */
  landing: {
    title: string;
    lead: string;
    people: string;
    peopleLead: string;
    developers: string;
    docs: string;
    openapi: string;
    issuer: string;
  };
  /** The API reference at `/docs`: its frame; the reference itself is the API's own English. */
  docs: {
    /** Beside the brand in the header. */
    service: string;
    /** Above the reference: in which language it is, and why. */
    language: string;
    /** Without JavaScript: `{version}`, `{openapi}`; the document's link follows. */
    needsScript: string;
  };
  /** Pages for a signing link that cannot be used, and other dead ends. */
  problems: {
    /** Link unknown (404). */
    unknown: { title: string; lead: string };
    /** Link past its expiry (410). */
    expired: { title: string; lead: string };
    /** Link already used: the person signed or rejected (410). */
    used: { title: string; lead: string };
    /** The sender canceled the envelope (410). */
    canceled: { title: string; lead: string };
    /** Another signer rejected the envelope (410). */
    rejected: { title: string; lead: string };
    /** The envelope is complete (410). */
    completed: { title: string; lead: string };
    /** A newer link was sent to the person, which ended this one (410). */
    replaced: { title: string; lead: string };
    /** The envelope changed while the person was deciding (409). */
    closed: { title: string; lead: string };
    /** Another signer has to sign first (409). */
    waiting: { title: string; lead: string };
    /** Sign-in at accounts failed or was cancelled (400). */
    signInFailed: { title: string; lead: string };
    /** Someone other than the invited person signed in (403). */
    wrongPerson: { title: string; lead: string };
    /** The signing session is missing or over (401). */
    sessionOver: { title: string; lead: string };
    /** A form without its CSRF token (403). */
    forbidden: { title: string; lead: string };
    /** Reject without a reason (400). */
    reasonRequired: { title: string; lead: string };
    /** Anything unexpected (500). */
    unexpected: { title: string; lead: string };
    /** Shown on every problem page. */
    help: string;
  };
  sign: {
    title: string;
    /** Greets the signed-in person: `{name}`. */
    lead: string;
    /** Introduces the documents: `{count}`. */
    documents: string;
    /** Labels one document's viewer: `{name}`. */
    document: string;
    /** Where the person's one drawn signature goes in a document: `{pages}` (its page number). */
    placedOne: string;
    /** Where the person's drawn signatures go in a document: `{pages}` (page numbers, comma-separated). */
    placedMany: string;
    /** Said of a document where a signature of the person is drawn on no page. */
    notPlaced: string;
    /** Labels the box marked on a page where the person's signature goes. */
    marker: string;
    /** Shown while pdf.js renders; replaced by the pages. */
    loading: string;
    /** Shown when a document cannot be shown in the browser. */
    renderFailed: string;
    /** Link to open the document itself. */
    open: string;
    /** Shown without JavaScript (the documents can still be opened). */
    needsScript: string;
    /** What signing means, above the Sign button. */
    consent: string;
    signButton: string;
    /** The Sign button while the signature is being applied. */
    signing: string;
    /** The Reject button while the rejection is sent. */
    rejecting: string;
    rejectHeading: string;
    reasonLabel: string;
    reasonHint: string;
    rejectButton: string;
  };
  signed: {
    title: string;
    lead: string;
    /** Link to download one signed document: `{name}`. */
    download: string;
    /** When the signed PDFs are not ready yet (others still have to sign). */
    pending: string;
  };
  rejected: {
    title: string;
    lead: string;
    /** Repeats the reason: `{reason}`. */
    reason: string;
  };
  /** The certificate of completion (the audit trail as a sealed PDF). */
  certificate: CertificateMessages;
}

/** A count in words: `one` for 1, `other` otherwise (`{count}`). */
export interface Plural {
  one: string;
  other: string;
}

/**
 * The text of the certificate of completion. Each audit event type is a sentence; placeholders:
 * `{actor}` (who did it), `{name}` (the person), `{document}`, `{email}`, `{time}`, and the ones
 * named beside each.
 */
export interface CertificateMessages {
  title: string;
  /** `{time}`, `{organization}`. */
  issued: string;
  /** `{zone}`: the IANA time zone the times are in. */
  timeZone: string;
  /** `{seal}`: the seal certificate's common name. */
  sealNote: string;
  /** The footer: `{page}`, `{pages}`. */
  page: string;
  /** The signature's /Reason. */
  sealReason: string;
  envelope: {
    heading: string;
    reference: string;
    status: string;
    reason: string;
    requestedBy: string;
    requesterReference: string;
    created: string;
    expires: string;
    finished: string;
    never: string;
  };
  statuses: Record<'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired', string>;
  documents: {
    heading: string;
    pages: Plural;
    signatures: Plural;
    uploadedHash: string;
  };
  signers: {
    heading: string;
    /** `{time}`. */
    signed: string;
    pending: string;
    rejected: string;
    byIdToken: string;
    /** `{email}`. */
    byInvitation: string;
  };
  events: {
    heading: string;
    /** `{ip}`. */
    ip: string;
    /** `{userAgent}`. */
    userAgent: string;
    /** `{reason}`. */
    reason: string;
    signedHash: string;
    /** `{documents}`, `{signers}` (counted with the plurals below). */
    created: string;
    documents: Plural;
    signers: Plural;
    /** `{acr}`, `{time}` (when they signed in). */
    identifiedByIdToken: string;
    identifiedByInvitation: string;
    /** `{time}`: when the link expires. */
    invited: string;
    invitedNoExpiry: string;
    opened: string;
    /** A new link replaced the person's earlier one. */
    resent: string;
    /** `{kind}` (one of `emailKinds`), `{email}`. */
    emailSent: string;
    emailFailed: string;
    emailKinds: { invitation: string; reminder: string; completion: string };
    documentSigned: string;
    personSigned: string;
    completed: string;
    rejected: string;
    canceled: string;
    expired: string;
    /** `{version}`. */
    downloaded: string;
    versions: { current: string; original: string };
    /** An event type this version does not know: `{type}`. */
    other: string;
  };
  actors: {
    /** `{id}`: the client_id. */
    client: string;
    system: string;
    person: string;
  };
}

/** The messages of each supported locale. */
export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, es };
