import type { Messages } from './index.js';

/** English messages. */
export const en: Messages = {
  brand: 'Signet',
  problems: {
    unknown: {
      title: 'Signing link not found',
      lead: 'This signing link is not valid. Check that you opened the whole link from your message.',
    },
    expired: {
      title: 'This signing link has expired',
      lead: 'The time to sign these documents has run out. Ask the person who sent it for a new one.',
    },
    used: {
      title: 'This signing link has already been used',
      lead: 'You already signed or rejected the documents with this link. Each link works once.',
    },
    canceled: {
      title: 'This signing request was canceled',
      lead: 'The sender canceled it, so these documents can no longer be signed. Nothing more is needed from you.',
    },
    rejected: {
      title: 'This signing request was rejected',
      lead: 'Another signer declined to sign, so the request has ended and these documents can no longer be signed.',
    },
    completed: {
      title: 'This signing request is complete',
      lead: 'Every signature has been applied. Nothing more is needed from you.',
    },
    replaced: {
      title: 'A newer signing link was sent to you',
      lead: 'This link was replaced and no longer works. Use the link in the most recent message you received.',
    },
    closed: {
      title: 'The request changed while you were deciding',
      lead: 'Nothing was signed with this step. Open your signing link again to see where it stands.',
    },
    waiting: {
      title: 'Someone else signs first',
      lead: 'Another person has to sign these documents before you. Open your signing link again later.',
    },
    signInFailed: {
      title: 'Sign-in did not finish',
      lead: 'We could not confirm who you are. Open your signing link again to retry.',
    },
    wrongPerson: {
      title: 'This link is for someone else',
      lead: 'You signed in with an account whose email address is not the one this link was sent to.',
    },
    sessionOver: {
      title: 'Your signing session has ended',
      lead: 'For your security it lasts a few minutes. Open your signing link again to continue.',
    },
    forbidden: {
      title: 'Request refused',
      lead: 'The form was incomplete or out of date. Go back, reload the page and try again.',
    },
    reasonRequired: {
      title: 'A reason is required',
      lead: 'To reject the documents, go back and write why.',
    },
    unexpected: {
      title: 'Something went wrong',
      lead: 'Nothing was signed. Please try again in a moment.',
    },
    help: 'If you need help, contact the person who sent you the documents.',
  },
  sign: {
    title: 'Review and sign',
    lead: 'Hello {name}. Please read the documents below before you decide.',
    documents: 'Documents to sign: {count}',
    document: 'Document: {name}',
    loading: 'Loading the document…',
    renderFailed: 'This document cannot be shown here. Open it to read it.',
    open: 'Open the PDF',
    needsScript: 'Your browser cannot show the documents here. Open each PDF to read it.',
    consent: 'By selecting Sign you sign these documents electronically with your verified identity.',
    signButton: 'Sign',
    rejectHeading: 'Do not want to sign?',
    reasonLabel: 'Reason for rejecting',
    reasonHint: 'The sender will see this reason.',
    rejectButton: 'Reject',
  },
  signed: {
    title: 'Signed',
    lead: 'Thank you. Your signature has been added to the documents.',
    download: 'Download {name}',
    pending: 'The signed documents will be available once they are ready.',
  },
  rejected: {
    title: 'Rejected',
    lead: 'You rejected the documents. The sender has been told.',
    reason: 'Your reason: {reason}',
  },
  certificate: {
    title: 'Certificate of completion',
    issued: 'Issued on {time} by {organization}.',
    timeZone: 'Times are in the {zone} time zone; each shows its offset from UTC.',
    sealNote:
      'This certificate is sealed with the electronic seal “{seal}”. Open it in a PDF reader to check that it has not been changed since.',
    page: 'Page {page} of {pages}',
    sealReason: 'Certificate of completion',
    envelope: {
      heading: 'Envelope',
      reference: 'Reference',
      status: 'Status',
      reason: 'Reason',
      requestedBy: 'Requested by',
      requesterReference: 'Requester’s reference',
      created: 'Created',
      expires: 'Expires',
      finished: 'Finished',
      never: 'Never',
    },
    statuses: {
      in_progress: 'In progress',
      completed: 'Completed',
      rejected: 'Rejected',
      canceled: 'Canceled',
      expired: 'Expired',
    },
    documents: {
      heading: 'Documents',
      pages: { one: '1 page', other: '{count} pages' },
      signatures: { one: '1 signature', other: '{count} signatures' },
      uploadedHash: 'SHA-256 fingerprint as uploaded:',
    },
    signers: {
      heading: 'Signers',
      signed: 'Signed on {time}',
      pending: 'Has not signed',
      rejected: 'Rejected',
      byIdToken: 'identity verified with an identity token',
      byInvitation: 'invited at {email}; identity verified on the signing page',
    },
    events: {
      heading: 'Events',
      ip: 'IP address {ip}',
      userAgent: 'Client: {userAgent}',
      reason: 'Reason: “{reason}”',
      signedHash: 'SHA-256 fingerprint of the signed document:',
      created: '{actor} created the envelope with {documents} for {signers}.',
      documents: { one: '1 document', other: '{count} documents' },
      signers: { one: '1 signer', other: '{count} signers' },
      identifiedByIdToken:
        'The identity of {name} was verified with an identity token (authentication level {acr}, signed in on {time}).',
      identifiedByInvitation:
        'The identity of {name} was verified on the signing page as the person invited at {email}.',
      invited: '{actor} invited {name} ({email}) to sign; the link expires on {time}.',
      invitedNoExpiry: '{actor} invited {name} ({email}) to sign.',
      opened: '{name} opened the signing link.',
      resent: '{actor} sent {name} a new signing link; the earlier one no longer works.',
      emailSent: 'The {kind} email to {email} was accepted by the mail server.',
      emailFailed: 'The {kind} email to {email} could not be delivered.',
      emailKinds: { invitation: 'invitation', reminder: 'reminder', completion: 'completion' },
      documentSigned: '{name} signed “{document}”.',
      personSigned: '{name} has applied all of their signatures.',
      completed: 'Every signature was applied: the envelope is complete.',
      rejected: '{actor} rejected the envelope.',
      canceled: '{actor} canceled the envelope.',
      expired: 'The envelope expired before every signature was applied.',
      downloaded: '{actor} downloaded “{document}” ({version}).',
      versions: { current: 'latest version', original: 'as uploaded' },
      other: 'Event “{type}”.',
    },
    actors: {
      client: 'the integration “{id}”',
      system: 'Signet',
      person: 'a signer',
    },
  },
};
