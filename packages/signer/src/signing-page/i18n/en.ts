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
      lead: 'Ask the person who sent it for a new one.',
    },
    used: {
      title: 'This signing link has already been used',
      lead: 'The documents were already signed or rejected with this link. Each link works once.',
    },
    closed: {
      title: 'These documents can no longer be signed',
      lead: 'The sender cancelled the request or it is already complete.',
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
};
