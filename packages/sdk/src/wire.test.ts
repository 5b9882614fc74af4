import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as protocol from '@signet/protocol';
import type * as sdk from './index.js';
import { isLoopback } from './wire.js';

/** Compiles only when `Server` fits into `Client`: what the servers send, the SDK's types accept. */
type Fits<Server extends Client, Client> = [Server, Client];

// Checked by `npm run typecheck`: the SDK declares its own wire types (no @signet/* dependency in
// the published package), and these lines fail to compile when they and the servers' part ways.
export type WireTypesFit = [
  Fits<protocol.AuthorizationServerMetadata, sdk.AuthorizationServerMetadata>,
  Fits<sdk.AuthorizationServerMetadata, protocol.AuthorizationServerMetadata>,
  Fits<protocol.TokenResponse, sdk.TokenResponse>,
  Fits<sdk.TokenResponse, protocol.TokenResponse>,
  Fits<protocol.UserClaims, sdk.UserClaims>,
  Fits<sdk.UserClaims, protocol.UserClaims>,
  // The Signer's answers, as the Signer's code types them, fit the types generated from its
  // OpenAPI document; and what an integrator may send is what the Signer takes.
  Fits<protocol.Envelope, sdk.Envelope>,
  Fits<protocol.EnvelopeList, sdk.EnvelopeList>,
  Fits<protocol.AuditTrail, sdk.AuditTrail>,
  Fits<protocol.ResentInvitation, sdk.ResentInvitation>,
  Fits<protocol.VerifyResponse, sdk.VerifyResponse>,
  Fits<protocol.ListEnvelopesQuery, sdk.ListEnvelopesQuery>,
  Fits<sdk.ListEnvelopesQuery, protocol.ListEnvelopesQuery>,
  Fits<sdk.EnvelopeStatus, protocol.EnvelopeStatus>,
  Fits<protocol.EnvelopeStatus, sdk.EnvelopeStatus>,
  Fits<protocol.EnvelopeErrorCode, sdk.SignerErrorCode>,
];

describe("the SDK's own copy of the wire rules", () => {
  it("isLoopback answers as the servers' configuration check does", () => {
    const hosts = [
      'localhost',
      '127.0.0.1',
      '[::1]',
      '::1',
      'app.localhost',
      'localhost.example',
      '127.0.0.2',
      'example.com',
      '',
    ];
    for (const host of hosts) assert.equal(isLoopback(host), protocol.isLoopback(host), host);
    assert.equal(isLoopback('accounts.example'), false);
  });
});
