import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreateEnvelopeRequest, Envelope } from '@signet/protocol';
import { assertAccessible } from '@signet/testing/axe';
import { CHROMIUM } from '@signet/testing/face-browser';
import { makePdf, pdfsig, scratchDir } from '@signet/testing/pdf';
import { PASSWORD, type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';
import { smtpServer, type TestSmtpServer } from '@signet/testing/smtp';
import type { ParsedMail } from 'mailparser';
import { type Browser, chromium, type Page } from 'playwright-core';

// One invitation followed as the person lives it, in Debian's Chromium on a 390×844 phone in
// Spanish: an integrator creates an envelope through the API; the invitation arrives at a real
// SMTP server started here; the person opens the link from that email, signs in at accounts with
// the email address the link was sent to, sees where their signature goes, signs, downloads the
// signed PDF (pdfsig validates it) and receives the completion email with it; the link then says
// the request is complete. Every page passes axe-core (WCAG 2.1 AA) and fits the phone.

const EMAIL = 'lucia.moreno@example.com';
const NAME = 'Lucía Moreno';
const SENDER = 'Acme Alquileres';
const POSITION = { page: 2, x: 56, y: 620, width: 240, height: 70 };

// The project compiles without lib.dom: the browser globals the functions given to page.evaluate use.
declare const document: { documentElement: { scrollWidth: number }; querySelector(selector: string): unknown };
/** A button as the page's script leaves it. */
type Button = { disabled: boolean; textContent: string; getAttribute(name: string): string | null };
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
declare const window: { innerWidth: number };

/** Waits until `check` holds, polling every 100 ms, for at most `ms`. */
async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The signing link in an email's text part. */
function linkIn(mail: ParsedMail): string {
  const match = /https?:\/\/\S+\/sign\/[A-Za-z0-9_-]+/.exec(mail.text ?? '');
  assert.ok(match, mail.text);
  return match[0];
}

/** The text of the page's main part, whitespace collapsed. */
async function textOf(page: Page): Promise<string> {
  return ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
}

/** The page fits the phone and passes axe-core. */
async function checkPage(page: Page, what: string): Promise<void> {
  assert.equal(await page.locator('html').getAttribute('lang'), 'es', `${what}: in Spanish`);
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    `${what}: no sideways scrolling`,
  );
  await assertAccessible(page, what);
}

describe('an emailed invitation, followed on a phone in Spanish to the signed PDF', { timeout: 180_000 }, () => {
  let smtp: TestSmtpServer;
  let h: SigningPageHarness;
  let browser: Browser;

  before(async () => {
    smtp = await smtpServer();
    [h, browser] = await Promise.all([
      signingPageHarness({
        SIGNET_SIGNER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        SIGNET_SIGNER_MAIL_FROM: 'Signet <firmas@signet.test>',
      }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      }),
    ]);
  });

  after(async () => {
    await browser?.close();
    await h?.dispose();
    await smtp?.close();
  });

  it('email → sign-in with the email address → the marked page → Firmar → a valid signed PDF and the completion email', async () => {
    await h.person(EMAIL, { name: NAME });
    const integrator = await h.t.newClient();
    const request: CreateEnvelopeRequest = {
      issuer: { initiative: integrator.clientId, nonce: `journey-${Date.now()}`, name: SENDER },
      documents: [{ name: 'contrato.pdf', content: Buffer.from(await makePdf(2, 'Contrato')).toString('base64') }],
      persons: [{ name: NAME, email: EMAIL, locale: 'es' }],
      signatures: [{ document: 0, person: 0, position: POSITION }],
    };
    const created = await fetch(`${h.publicUrl}/v1/envelopes`, {
      method: 'POST',
      headers: { authorization: integrator.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const envelope = (await created.json()) as Envelope;
    assert.equal(created.status, 201, JSON.stringify(envelope));

    // The invitation email, as received by the SMTP server.
    await until('the invitation email', () => smtp.to(EMAIL).length === 1);
    const invitation = smtp.to(EMAIL)[0] as ParsedMail;
    assert.equal(invitation.subject, `${SENDER} te pide que firmes contrato.pdf`);
    assert.deepEqual(
      invitation.from?.value.map((a) => [a.name, a.address]),
      [['Signet', 'firmas@signet.test']],
    );
    assert.match(invitation.text ?? '', new RegExp(`Hola, ${NAME}:`));
    assert.match(invitation.text ?? '', /contrato\.pdf/);
    assert.match(invitation.text ?? '', /Tu enlace de firma funciona hasta el .*\(UTC\)/);
    const link = linkIn(invitation);
    assert.equal(link, envelope.persons[0]?.signingUrl);
    assert.ok((invitation.html || '').includes(`href="${link}"`), 'the HTML part links the same URL');

    const context = await browser.newContext({
      locale: 'es-ES',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      acceptDownloads: true,
    });
    const problems: string[] = [];
    context.on('page', (p) => {
      p.on('pageerror', (error) => problems.push(error.message));
      p.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
    });
    const page = await context.newPage();

    // The link leads to the Spanish sign-in, the email filled in; the email address signs in.
    await page.goto(link);
    assert.equal(new URL(page.url()).origin, h.t.issuer, 'the link leads to the issuer');
    const username = page.getByLabel('Correo o nombre de usuario');
    assert.equal(await username.inputValue(), EMAIL, 'login_hint fills in the invited email');
    await page.getByRole('link', { name: '¿Problemas para iniciar sesión?' }).waitFor();
    await checkPage(page, 'the sign-in page');
    await page.getByLabel('Contraseña').fill(PASSWORD);
    await Promise.all([
      page.waitForURL(`${h.publicUrl}/sign/session`),
      page.getByRole('button', { name: 'Iniciar sesión' }).tap(),
    ]);

    // The signing page: who, what, where the signature goes, and the two choices.
    await page.getByRole('heading', { name: 'Revisa y firma' }).waitFor();
    await page.locator('[data-rendered="2"]').waitFor({ timeout: 30_000 });
    const signing = await textOf(page);
    for (const text of [
      `Hola, ${NAME}. Lee los documentos antes de decidir.`,
      'Documentos para firmar: 1',
      'Documento: contrato.pdf',
      'Tu firma va en el recuadro marcado de la página 2.',
      'Abrir el PDF en una pestaña nueva',
      'Al pulsar Firmar, firmas estos documentos electrónicamente con tu identidad verificada.',
      '¿No quieres firmar?',
      'El remitente verá este motivo.',
    ]) {
      assert.ok(signing.includes(text), `the signing page says "${text}": ${signing}`);
    }
    const marker = page.locator('.signature-marker');
    assert.equal(await marker.count(), 1, 'one marked box');
    assert.equal(await marker.textContent(), 'Tu firma');
    // On the second page, where the position puts it: inside that page's frame, in its upper part.
    const frames = page.locator('.document-page-frame');
    const box = await marker.boundingBox();
    const second = await frames.nth(1).boundingBox();
    assert.ok(box && second, 'the marker and the page are laid out');
    assert.ok(box.y >= second.y && box.y + box.height <= second.y + second.height, 'on page 2');
    assert.ok(box.x >= second.x && box.x + box.width <= second.x + second.width, 'inside the page');
    const expected = (POSITION.width / 595.28) * second.width;
    assert.ok(Math.abs(box.width - expected) < 2, `240 pt wide on an A4 page: ${box.width} vs ${expected}`);
    assert.equal(await page.locator('.languages [aria-current="true"]').textContent(), 'Español');
    await checkPage(page, 'the signing page');

    // The buttons as the form is sent (recorded by a listener that runs after the page's own, kept
    // in sessionStorage across the navigation that follows; no named functions inside, which the
    // test's compiler would wrap in a helper the page does not have).
    await page.evaluate(() => {
      const form = document.querySelector('form.actions') as { addEventListener(t: string, l: () => void): void };
      form.addEventListener('submit', () => {
        const sign = document.querySelector('#sign') as Button;
        const reject = document.querySelector('#reject') as Button;
        const state = {
          text: sign.textContent,
          busy: sign.getAttribute('aria-busy'),
          disabled: [sign.disabled, reject.disabled],
        };
        sessionStorage.setItem('sent', JSON.stringify(state));
      });
    });
    await Promise.all([
      page.waitForURL(`${h.publicUrl}/sign/session`),
      page.getByRole('button', { name: 'Firmar', exact: true }).tap(),
    ]);
    await page.getByRole('heading', { name: 'Firmado' }).waitFor();
    assert.deepEqual(JSON.parse((await page.evaluate(() => sessionStorage.getItem('sent'))) ?? 'null'), {
      text: 'Firmando…',
      busy: 'true',
      disabled: [true, true],
    });
    assert.ok((await textOf(page)).includes('Gracias. Tu firma se ha añadido a los documentos.'));
    await checkPage(page, 'the signed page');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Descargar contrato.pdf' }).tap(),
    ]);
    const dir = scratchDir();
    const file = join(dir.dir, 'contrato.pdf');
    await download.saveAs(file);
    const { signatures, output } = await pdfsig(file);
    assert.equal(signatures[0]?.valid, true, output);
    assert.match(output, new RegExp(NAME), output);

    // The completion email carries the same signed PDF.
    await until('the completion email', () => smtp.to(EMAIL).length === 2);
    const completion = smtp.to(EMAIL)[1] as ParsedMail;
    assert.equal(completion.subject, 'Firmado: contrato.pdf');
    assert.match(completion.text ?? '', /Los documentos firmados van adjuntos/);
    assert.equal(completion.attachments[0]?.filename, 'contrato.pdf');
    assert.ok(completion.attachments[0]?.content.equals(readFileSync(file)), 'the attachment is the downloaded PDF');

    assert.deepEqual(problems, [], 'no console errors or CSP violations');

    // The link from the email now tells its true ending (every signature applied), in Spanish.
    const reopened = await page.goto(link);
    assert.equal(reopened?.status(), 410);
    await page.getByRole('heading', { name: 'Esta solicitud de firma está completa' }).waitFor();
    assert.ok((await textOf(page)).includes('Ya se aplicaron todas las firmas. No tienes que hacer nada más.'));
    await checkPage(page, 'the completed link');
    await context.close();
    dir.dispose();
  });
});
