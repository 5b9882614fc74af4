import type { Messages } from './index.js';

/** English messages. */
export const en: Messages = {
  brand: 'Signet',
  login: {
    title: 'Sign in',
    lead: '{client} wants you to sign in.',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    errors: {
      invalid_credentials: 'Wrong username or password.',
      throttled: 'Too many attempts. Try again in a few minutes.',
      missing_fields: 'Enter your username and your password.',
    },
  },
  consent: {
    title: 'Allow access?',
    lead: '{client} wants to access your account.',
    signedInAs: 'Signed in as {user}.',
    scopesIntro: 'If you allow it, {client} will receive:',
    allow: 'Allow',
    deny: 'Deny',
    scopes: {
      openid: 'your identity (a stable identifier)',
      profile: 'your name, date of birth, gender, picture, locale and the identity document on file',
      birthdate: 'your date of birth',
      credential: 'the identity document on file (country, issuer, type and number)',
      email: 'your email address',
      phone: 'your phone number',
      address: 'your postal address',
      offline: 'access while you are away (stays signed in)',
      offline_access: 'access while you are away (stays signed in)',
      'envelopes:read': 'read access to your signing envelopes (documents and their status)',
      'envelopes:write': 'permission to create and manage signing envelopes for you',
    },
  },
  error: {
    title: 'Something went wrong',
    code: 'Error code',
    help: 'Return to the application and try again.',
  },
  logout: {
    title: 'Sign out?',
    lead: 'Do you want to sign out of Signet?',
    leadWithClient: '{client} asked to sign you out of Signet. Do you want to sign out?',
    submit: 'Sign out',
  },
  loggedOut: {
    title: 'You are signed out',
    lead: 'You can close this window now.',
    leadWithClient: 'You can close this window now or return to {client}.',
  },
};
