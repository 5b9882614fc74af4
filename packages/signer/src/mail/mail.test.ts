import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditTrail, CreateEnvelopeRequest, Envelope } from '@signet/protocol';
import { makePdf } from '@signet/testing/pdf';
import { freePort, type TestClient } from '@signet/testing/signer';
import { type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';
import { smtpServer, type TestSmtpServer } from '@signet/testing/smtp';
import type { ParsedMail } from 'mailparser';
import { signAsInvitee } from '../envelopes/invitations.js';
import { waitFor } from '../notifications/testing.js';
import { createSigner } from '../signer.js';
import { en } from '../signing-page/i18n/en.js';
import { openSignerStore } from '../store/signer-store.js';

type Smtp = TestSmtpServer;
let smtp: Smtp;
let h: SigningPageHarness;
let integrator: TestClient;
let nonce = 0;

before(async () => {
  smtp = await smtpServer();
  h = await signingPageHarness({
    SIGNET_SIGNER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SIGNET_SIGNER_MAIL_FROM: 'Signet <sign@signet.test>',
    SIGNET_SIGNER_REMINDERS: '48,24',
  });
  integrator = await h.t.newClient();
});
after(async () => {
  await h?.dispose();
  await smtp?.close();
});

async function create(persons: CreateEnvelopeRequest['persons'], extra: Partial<CreateEnvelopeRequest> = {}) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/envelopes',
    headers: { authorization: integrator.authorization },
    payload: {
      issuer: { initiative: integrator.clientId, nonce: `mail-${++nonce}`, name: 'Acme Rentals' },
      documents: [{ name: 'lease.pdf', content: Buffer.from(await makePdf(1, 'Lease')).toString('base64') }],
      persons,
      signatures: persons.map((_, person) => ({ document: 0, person })),
      ...extra,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as Envelope;
}

/** Moves the shared clock and gets the integrator a fresh access token (they last 60 minutes). */
async function advance(seconds: number) {
  h.t.clock.advance(seconds);
  const token = await h.t.accessToken({ client_id: integrator.clientId, client_secret: integrator.clientSecret });
  integrator = { ...integrator, accessToken: token, authorization: `Bearer ${token}` };
}

const api = (url: string, method: 'GET' | 'POST' = 'GET') =>
  h.app.inject({
    method,
    url,
    headers: { authorization: integrator.authorization },
    ...(method === 'POST' ? { payload: {} } : {}),
  });

const linkIn = (mail: ParsedMail): string => {
  const match = /https?:\/\/\S+\/sign\/[A-Za-z0-9_-]+/.exec(mail.text ?? '');
  assert.ok(match, mail.text);
  return match[0];
};

describe('invitations by email', () => {
  test('the invitation goes in the person’s language, with sender, documents, expiry and the link (English and Spanish)', async () => {
    const envelope = await create([
      { name: 'Ana Ruiz', email: 'ana.en@example.com' },
      { name: 'Luis Gil', email: 'luis.es@example.com', locale: 'es' },
    ]);
    await waitFor(() => smtp.to('ana.en@example.com').length === 1 && smtp.to('luis.es@example.com').length === 1);
    const english = smtp.to('ana.en@example.com')[0] as ParsedMail;
    assert.equal(english.subject, 'Acme Rentals asks you to sign lease.pdf');
    assert.deepEqual(
      english.from?.value.map((a) => [a.name, a.address]),
      [['Signet', 'sign@signet.test']],
    );
    assert.match(english.text ?? '', /Hello Ana Ruiz,/);
    assert.match(english.text ?? '', /lease\.pdf/);
    assert.match(english.text ?? '', /Your signing link works until .*\(UTC\)/);
    assert.equal(linkIn(english), envelope.persons[0]?.signingUrl);
    assert.ok((english.html || '').includes(`href="${envelope.persons[0]?.signingUrl}"`));
    const spanish = smtp.to('luis.es@example.com')[0] as ParsedMail;
    assert.equal(spanish.subject, 'Acme Rentals te pide que firmes lease.pdf');
    assert.match(spanish.text ?? '', /Hola, Luis Gil:/);
    assert.match(spanish.text ?? '', /Tu enlace de firma funciona hasta el/);
    assert.equal(linkIn(spanish), envelope.persons[1]?.signingUrl);
    // The envelope lists its emails; the link is never stored in clear once sent.
    const emails = (await api(`/v1/envelopes/${envelope.id}/emails`)).json().emails as Record<string, unknown>[];
    const sent = emails.filter((e) => e.kind === 'invitation');
    assert.equal(sent.length, 2);
    assert.ok(sent.every((e) => e.status === 'sent' && typeof e.message_id === 'string'));
    assert.equal(emails.filter((e) => e.kind === 'reminder' && e.status === 'pending').length, 4);
    const trail = (await api(`/v1/envelopes/${envelope.id}/audit-trail`)).json() as AuditTrail;
    assert.equal(trail.events.filter((e) => e.type === 'email.sent').length, 2);
  });

  test('reminders go at their hours before expiry (injected clock), and none after the person signed', async () => {
    const before = smtp.received.length;
    const envelope = await create([{ name: 'Rita Sol', email: 'rita@example.com' }]);
    await waitFor(() => smtp.to('rita@example.com').length === 1);
    const expiresAt = Date.parse(envelope.persons[0]?.invitationExpiresAt as string) / 1000;
    // Just before the 48-hour reminder: nothing more.
    await advance(expiresAt - 48 * 3600 - h.t.clock.now() - 60);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(smtp.to('rita@example.com').length, 1);
    await advance(61);
    await waitFor(() => smtp.to('rita@example.com').length === 2, 5000, 'the 48-hour reminder');
    const reminder = smtp.to('rita@example.com')[1] as ParsedMail;
    assert.equal(reminder.subject, 'Reminder: Acme Rentals is waiting for your signature');
    assert.equal(linkIn(reminder), envelope.persons[0]?.signingUrl);
    // The sender cancels; the 24-hour reminder is canceled, never sent.
    const cancel = await api(`/v1/envelopes/${envelope.id}/cancel`, 'POST');
    assert.equal(cancel.statusCode, 200);
    await advance(24 * 3600 + 60);
    await waitFor(async () => {
      const emails = (await api(`/v1/envelopes/${envelope.id}/emails`)).json().emails as { status: string }[];
      return emails.filter((e) => e.status === 'canceled').length === 1;
    });
    assert.equal(smtp.to('rita@example.com').length, 2);
    assert.ok(smtp.received.length >= before + 2);
  });

  test('resend: a new link, the old one dead (its page says so), the new one works, mailed again', async () => {
    const envelope = await create([{ name: 'Eva Paz', email: 'eva@example.com' }]);
    await waitFor(() => smtp.to('eva@example.com').length === 1);
    const old = envelope.persons[0]?.signingUrl as string;
    const res = await api(`/v1/envelopes/${envelope.id}/persons/0/resend`, 'POST');
    assert.equal(res.statusCode, 200, res.body);
    const resent = res.json() as { signingUrl: string; email: string; invitationExpiresAt: string };
    assert.equal(resent.email, 'queued');
    assert.notEqual(resent.signingUrl, old);
    await waitFor(() => smtp.to('eva@example.com').length === 2);
    assert.equal(linkIn(smtp.to('eva@example.com')[1] as ParsedMail), resent.signingUrl);
    const dead = await h.browser().get(old);
    assert.equal(dead.status, 410);
    assert.ok((await dead.text()).includes(en.problems.replaced.title));
    const fresh = await h.browser().get(resent.signingUrl);
    assert.equal(fresh.status, 303, 'the new link leads to sign-in');
    // The old link's reminders are canceled, the new one's wait.
    const emails = (await api(`/v1/envelopes/${envelope.id}/emails`)).json().emails as {
      kind: string;
      status: string;
    }[];
    assert.equal(emails.filter((e) => e.kind === 'reminder' && e.status === 'canceled').length, 2);
    assert.equal(emails.filter((e) => e.kind === 'reminder' && e.status === 'pending').length, 2);
    const trail = (await api(`/v1/envelopes/${envelope.id}/audit-trail`)).json() as AuditTrail;
    assert.ok(trail.events.some((e) => e.type === 'invitation.resent'));
    // Another client's envelope, an unknown person, an id_token-less state: refused.
    assert.equal((await api(`/v1/envelopes/${envelope.id}/persons/5/resend`, 'POST')).statusCode, 404);
    await api(`/v1/envelopes/${envelope.id}/cancel`, 'POST');
    assert.equal((await api(`/v1/envelopes/${envelope.id}/persons/0/resend`, 'POST')).statusCode, 409);
  });

  test('the completion email carries the signed PDF to every invited person', async () => {
    const envelope = await create([{ name: 'Dana Roe', email: 'dana@example.com', locale: 'es' }]);
    await waitFor(() => smtp.to('dana@example.com').length === 1);
    const token = String(envelope.persons[0]?.signingUrl).split('/').pop() as string;
    const services = { ...h.t.signer.context, ca: h.ca };
    const identity = { subject: `${h.t.issuer}|dana`, name: 'Dana Roe', email: 'dana@example.com' };
    await signAsInvitee(services, token, identity, { ip: '127.0.0.1', userAgent: 'test' });
    await waitFor(() => smtp.to('dana@example.com').length === 2, 5000, 'the completion email');
    const mail = smtp.to('dana@example.com')[1] as ParsedMail;
    assert.equal(mail.subject, 'Firmado: lease.pdf');
    assert.match(mail.text ?? '', /Los documentos firmados van adjuntos/);
    assert.equal(mail.attachments.length, 1);
    const attachment = mail.attachments[0];
    assert.equal(attachment?.filename, 'lease.pdf');
    assert.equal(attachment?.contentType, 'application/pdf');
    const signed = await api(`/v1/envelopes/${envelope.id}/documents/0`);
    assert.ok(attachment?.content.equals(signed.rawPayload), 'the attachment is the signed PDF');
  });

  test('HTML escapes every name: an attacker-chosen name cannot inject markup', async () => {
    const evil = '<img src=x onerror=alert(1)>"><script>alert(2)</script>';
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: integrator.authorization },
      payload: {
        issuer: { initiative: integrator.clientId, nonce: `evil-${++nonce}`, name: `Evil <b>Corp</b>` },
        documents: [{ name: '<i>x</i>.pdf', content: Buffer.from(await makePdf(1, 'X')).toString('base64') }],
        persons: [{ name: evil, email: 'evil@example.com' }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    await waitFor(() => smtp.to('evil@example.com').length === 1);
    const mail = smtp.to('evil@example.com')[0] as ParsedMail;
    const html = mail.html || '';
    assert.ok(!html.includes('<script'), html);
    assert.ok(!html.includes('<img'), html);
    assert.ok(!html.includes('<b>Corp'), html);
    assert.ok(!html.includes('<i>x'), html);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), html);
    assert.ok(html.includes('Evil &lt;b&gt;Corp&lt;/b&gt;'), html);
    // The plain-text part says the names as they are.
    assert.ok((mail.text ?? '').includes(evil));
  });
});

describe('delivery through failures', () => {
  test('a server that refuses (451) is retried with backoff until it accepts', async () => {
    smtp.state.refuse = 2;
    const envelope = await create([{ name: 'Tom Ray', email: 'tom@example.com' }]);
    await waitFor(() => smtp.state.refused === 1, 5000, 'the first refusal');
    let emails = (await api(`/v1/envelopes/${envelope.id}/emails`)).json().emails as Record<string, unknown>[];
    const invitation = () => emails.find((e) => e.kind === 'invitation') as Record<string, unknown>;
    assert.equal(invitation().status, 'pending');
    assert.equal(invitation().attempt_count, 1);
    assert.match(String(invitation().last_error), /^SMTP 451/);
    for (const step of [1, 2]) {
      await advance(130 * step);
      await waitFor(() => smtp.state.refused === 2 || smtp.to('tom@example.com').length === 1, 5000, `retry ${step}`);
    }
    await waitFor(() => smtp.to('tom@example.com').length === 1, 5000, 'the accepted retry');
    emails = (await api(`/v1/envelopes/${envelope.id}/emails`)).json().emails as Record<string, unknown>[];
    assert.equal(invitation().status, 'sent');
    assert.equal(invitation().attempt_count, 3);
  });

  test('a restart between enqueue and delivery loses nothing: the next Signer sends it', async () => {
    const downPort = await freePort();
    const { config } = h.t;
    // Its own database: the harness's Signer, on its own SMTP server, must not send this message.
    const dir = mkdtempSync(join(tmpdir(), 'signet-mail-restart-'));
    const store = openSignerStore({ url: join(dir, 'signer.db') });
    const first = await createSigner(
      { ...config, port: 0, smtpUrl: `smtp://127.0.0.1:${downPort}`, mailFrom: 'Signet <sign@signet.test>' },
      { now: h.t.clock.now, store },
    );
    const request: CreateEnvelopeRequest = {
      issuer: { initiative: integrator.clientId, nonce: `restart-${++nonce}` },
      documents: [{ name: 'deed.pdf', content: Buffer.from(await makePdf(1, 'Deed')).toString('base64') }],
      persons: [{ name: 'Ivo Lam', email: 'ivo@example.com', locale: 'es' }],
      signatures: [{ document: 0, person: 0 }],
    };
    const res = await first.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: integrator.authorization },
      payload: request,
    });
    assert.equal(res.statusCode, 201, res.body);
    const envelope = res.json() as Envelope;
    // Nobody listens on the first Signer's SMTP port: the attempt fails and the message waits.
    const emailsOf = async (app: typeof first.app) =>
      (
        await app.inject({
          url: `/v1/envelopes/${envelope.id}/emails`,
          headers: { authorization: integrator.authorization },
        })
      ).json().emails as Record<string, unknown>[];
    await waitFor(async () =>
      (await emailsOf(first.app)).some((e) => e.kind === 'invitation' && e.attempt_count === 1),
    );
    await first.close();
    // A server now listens there, and a new Signer on the same database starts.
    const later = await smtpServer(downPort);
    const second = await createSigner(
      { ...config, port: 0, smtpUrl: `smtp://127.0.0.1:${downPort}`, mailFrom: 'Signet <sign@signet.test>' },
      { now: h.t.clock.now, store, pollIntervalMs: 100 },
    );
    try {
      await advance(120);
      await waitFor(() => later.to('ivo@example.com').length === 1, 5000, 'the delivery after the restart');
      const mail = later.to('ivo@example.com')[0] as ParsedMail;
      assert.match(mail.subject ?? '', /te pide que firmes deed\.pdf/);
      assert.equal(linkIn(mail), envelope.persons[0]?.signingUrl);
      const [email] = await emailsOf(second.app);
      assert.equal(email?.status, 'sent');
      assert.equal(email?.attempt_count, 2);
    } finally {
      await second.close();
      await later.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
