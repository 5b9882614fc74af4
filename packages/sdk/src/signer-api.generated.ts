/**
 * The Signer API's paths, operations and schemas, generated from the Signer's OpenAPI document
 * (`GET /openapi.json`) by openapi-typescript. Do not edit: run `npm run generate:sdk-types`.
 * The names the SDK exports are in `signer-types.ts`.
 */
export interface paths {
  '/health/alive': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers */
    get: operations['getLiveness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: the database answers and the issuer keys are held */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness (alias of /health/ready) */
    get: operations['getHealth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This API described in OpenAPI 3.1 */
    get: operations['getOpenApiDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This API documented as an HTML page */
    get: operations['getApiDocs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/root.pem': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The root certificate, PEM: what validators trust */
    get: operations['getV1CaRootPem'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/root.cer': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The root certificate, DER */
    get: operations['getV1CaRootCer'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/ocsp': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** OCSP (RFC 6960): a DER OCSPRequest in, a signed OCSPResponse out */
    post: operations['postV1CaOcsp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/ocsp/*': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** OCSP over GET: the base64 DER OCSPRequest in the path (RFC 6960 Appendix A.1) */
    get: operations['getV1CaOcsp'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/crl': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The active root's CRL (RFC 5280), DER */
    get: operations['getV1CaCrl'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ca/roots/{file}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A root by id, as named in certificates: `<id>.cer` (DER) or `<id>.crl` */
    get: operations['getV1CaRootsFile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/timestamp': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** RFC 3161 time-stamping: a DER TimeStampReq in, a TimeStampResp out */
    post: operations['postV1Timestamp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The client the access token was issued to
     * @description Checks an access token: answers who is calling and with which scopes, or 401.
     */
    get: operations['getCaller'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the caller's envelopes
     * @description Newest first, optionally by status; pass `nextCursor` as `cursor` for the next page.
     */
    get: operations['listEnvelopes'];
    put?: never;
    /**
     * Create an envelope
     * @description Uploads PDFs and says who signs what, in order. Persons given with an id_token are identified by it and their signatures are applied at once; persons given by name and email get a one-time `signingUrl` in the response. `issuer.nonce` may be used once per initiative (409 `nonce_reused`). Any invalid input is a 400/422 naming the field, and creates nothing.
     */
    post: operations['createEnvelope'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an envelope */
    get: operations['getEnvelope'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel an envelope in progress
     * @description Signing links stop working; 409 `invalid_state` once the envelope is finished.
     */
    post: operations['cancelEnvelope'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/documents/{n}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Download a document
     * @description The current PDF (`application/pdf`): the signed one once signed, carrying every signature applied so far. `?version=original` gives the PDF as uploaded.
     */
    get: operations['getEnvelopeDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/audit-trail': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An envelope's audit trail
     * @description Every event with its time, actor, IP address and user agent. `Accept: application/pdf` returns it as a certificate of completion sealed with the Signer's organisation seal (PAdES), in the language of `locale` or `Accept-Language` (English or Spanish) with times in `timeZone` (default UTC).
     */
    get: operations['getEnvelopeAuditTrail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Verify the signatures of a PDF
     * @description The body is the PDF (`application/pdf`) or JSON `{ "content": "<base64>" }`. Answers a validation report (ETSI EN 319 102-1 indications): per signature its PAdES level, signer, proven time, integrity, chain to this Signet's root, revocation status and any change made after it; and each document timestamp.
     */
    post: operations['verifyPdf'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/persons/{n}/resend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send an invited person a new signing link
     * @description The person’s current link stops working (its page says a newer link was sent), a new one is made and returned, and — when the Signer sends email — the invitation email goes to the person with it, with its reminders. Only for an invited person who has not signed, while the envelope is in progress (409 otherwise).
     */
    post: operations['resendInvitation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/emails': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the emails of an envelope and where each stands
     * @description Invitations, reminders (pending until their hour) and completion emails, oldest first, with status, attempts and the last error. Empty when the Signer sends no email.
     */
    get: operations['listEnvelopeEmails'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Stream the calling client’s envelope events (Server-Sent Events)
     * @description A `text/event-stream`: each message has `id` (the event sequence number), `event` (its type) and `data` (the event JSON, as in a webhook). Send `Last-Event-ID` on reconnect to receive the events missed; comment lines every 15 s keep the connection alive.
     */
    get: operations['streamEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read the client’s webhook URL, and whether a signing secret exists */
    get: operations['getWebhook'];
    /**
     * Set the client’s webhook URL
     * @description The first time, this also creates the signing secret and returns it as `secret`, once. See docs/webhooks.md for the `Signet-Signature` header.
     */
    put: operations['setWebhook'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook/secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create or replace the webhook signing secret
     * @description Returns the new secret, once. Every delivery from now on, retries included, is signed with it.
     */
    post: operations['rotateWebhookSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the webhook deliveries of an envelope’s events, with every attempt */
    get: operations['listEnvelopeDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/envelopes/{id}/deliveries/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Queue the envelope’s failed deliveries again */
    post: operations['retryEnvelopeDeliveries'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * @example {
     *       "error": "invalid_token",
     *       "error_description": "the access token has expired"
     *     }
     */
    Error: {
      /** @description A stable, machine-readable code. */
      error: string;
      /** @description What went wrong, for a developer. */
      error_description?: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getLiveness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process answers. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready to serve. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
      /** @description The database is unreachable, or the issuer's keys were never fetched. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'unavailable';
            error_description?: string;
          };
        };
      };
    };
  };
  getHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready to serve. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
      /** @description The database is unreachable, or the issuer's keys were never fetched. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'unavailable';
            error_description?: string;
          };
        };
      };
    };
  };
  getOpenApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The OpenAPI 3.1 document. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': Record<string, never>;
        };
      };
    };
  };
  getApiDocs: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The rendered API documentation. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  getV1CaRootPem: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  getV1CaRootCer: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  postV1CaOcsp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  getV1CaOcsp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  getV1CaCrl: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  getV1CaRootsFile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        file: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  postV1Timestamp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  getCaller: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The calling client. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description The client that owns the envelopes this token can reach. */
            client_id: string;
            /** @description Scopes of the token, space-delimited. */
            scope: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listEnvelopes: {
    parameters: {
      query?: {
        status?: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of envelopes. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            envelopes: {
              id: string;
              /** @enum {string} */
              status: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
              issuer: {
                initiative: string;
                personIndex: number | null;
                nonce: string;
                name?: string | null;
              };
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: date-time */
              expiresAt: string | null;
              /** Format: date-time */
              finishedAt: string | null;
              callbackUrl: string | null;
              statusReason: string | null;
              documents: {
                index: number;
                name: string;
                pageCount: number;
                size: number;
                originalSha256: string;
                signatureCount: number;
                url: string;
              }[];
              persons: {
                index: number;
                /** @enum {string} */
                identifiedBy: 'id_token' | 'invitation';
                name: string;
                email: string | null;
                /** @enum {string} */
                status: 'pending' | 'signed' | 'rejected';
                /** Format: date-time */
                signedAt: string | null;
                /** @description Only in the responses to create and resend. */
                signingUrl?: string;
                /** @description Invited persons: the language of their emails. */
                locale?: string | null;
                /** Format: date-time */
                invitationExpiresAt?: string | null;
              }[];
              signatures: {
                index: number;
                document: number;
                person: number;
                /** @enum {string} */
                status: 'pending' | 'signed';
                /** Format: date-time */
                signedAt: string | null;
                position: {
                  /** @description 1-based page number */
                  page: number;
                  x: number;
                  y: number;
                  width: number;
                  height: number;
                } | null;
              }[];
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Error */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createEnvelope: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          issuer: {
            /** @description The caller's client_id. */
            initiative: string;
            /** @description Which person (0-based) issued the envelope. */
            personIndex?: number;
            /** @description The sender's name in the envelope's emails. Default the initiative. */
            name?: string;
            /** @description Unique per initiative; a reuse is 409. */
            nonce: string;
          };
          documents: {
            name?: string;
            /** @description The PDF, base64. */
            content: string;
          }[];
          /** @description Each person has either an id_token, or a name and an email to be invited. */
          persons: {
            id_token?: string;
            name?: string;
            email?: string;
            /**
             * @description The invited person's language for emails. Default `en`.
             * @enum {string}
             */
            locale?: 'en' | 'es';
          }[];
          /** @description Applied in array order. */
          signatures: {
            document: number;
            person: number;
            /** @description A visible signature box in PDF points from the bottom-left of the page; omit for an invisible signature. */
            position?: {
              /** @description 1-based page number */
              page: number;
              x: number;
              y: number;
              width: number;
              height: number;
            };
          }[];
          /** @description ISO 8601 date-time in the future. */
          expiresAt?: string;
          /** @description https URL (http on localhost). */
          callbackUrl?: string;
        };
      };
    };
    responses: {
      /** @description The new envelope. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {string} */
            status: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
            issuer: {
              initiative: string;
              personIndex: number | null;
              nonce: string;
              name?: string | null;
            };
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            callbackUrl: string | null;
            statusReason: string | null;
            documents: {
              index: number;
              name: string;
              pageCount: number;
              size: number;
              originalSha256: string;
              signatureCount: number;
              url: string;
            }[];
            persons: {
              index: number;
              /** @enum {string} */
              identifiedBy: 'id_token' | 'invitation';
              name: string;
              email: string | null;
              /** @enum {string} */
              status: 'pending' | 'signed' | 'rejected';
              /** Format: date-time */
              signedAt: string | null;
              /** @description Only in the responses to create and resend. */
              signingUrl?: string;
              /** @description Invited persons: the language of their emails. */
              locale?: string | null;
              /** Format: date-time */
              invitationExpiresAt?: string | null;
            }[];
            signatures: {
              index: number;
              document: number;
              person: number;
              /** @enum {string} */
              status: 'pending' | 'signed';
              /** Format: date-time */
              signedAt: string | null;
              position: {
                /** @description 1-based page number */
                page: number;
                x: number;
                y: number;
                width: number;
                height: number;
              } | null;
            }[];
          };
        };
      };
      /** @description Error */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  getEnvelope: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The envelope. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {string} */
            status: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
            issuer: {
              initiative: string;
              personIndex: number | null;
              nonce: string;
              name?: string | null;
            };
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            callbackUrl: string | null;
            statusReason: string | null;
            documents: {
              index: number;
              name: string;
              pageCount: number;
              size: number;
              originalSha256: string;
              signatureCount: number;
              url: string;
            }[];
            persons: {
              index: number;
              /** @enum {string} */
              identifiedBy: 'id_token' | 'invitation';
              name: string;
              email: string | null;
              /** @enum {string} */
              status: 'pending' | 'signed' | 'rejected';
              /** Format: date-time */
              signedAt: string | null;
              /** @description Only in the responses to create and resend. */
              signingUrl?: string;
              /** @description Invited persons: the language of their emails. */
              locale?: string | null;
              /** Format: date-time */
              invitationExpiresAt?: string | null;
            }[];
            signatures: {
              index: number;
              document: number;
              person: number;
              /** @enum {string} */
              status: 'pending' | 'signed';
              /** Format: date-time */
              signedAt: string | null;
              position: {
                /** @description 1-based page number */
                page: number;
                x: number;
                y: number;
                width: number;
                height: number;
              } | null;
            }[];
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  cancelEnvelope: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        } | null;
      };
    };
    responses: {
      /** @description The canceled envelope. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {string} */
            status: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
            issuer: {
              initiative: string;
              personIndex: number | null;
              nonce: string;
              name?: string | null;
            };
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            callbackUrl: string | null;
            statusReason: string | null;
            documents: {
              index: number;
              name: string;
              pageCount: number;
              size: number;
              originalSha256: string;
              signatureCount: number;
              url: string;
            }[];
            persons: {
              index: number;
              /** @enum {string} */
              identifiedBy: 'id_token' | 'invitation';
              name: string;
              email: string | null;
              /** @enum {string} */
              status: 'pending' | 'signed' | 'rejected';
              /** Format: date-time */
              signedAt: string | null;
              /** @description Only in the responses to create and resend. */
              signingUrl?: string;
              /** @description Invited persons: the language of their emails. */
              locale?: string | null;
              /** Format: date-time */
              invitationExpiresAt?: string | null;
            }[];
            signatures: {
              index: number;
              document: number;
              person: number;
              /** @enum {string} */
              status: 'pending' | 'signed';
              /** Format: date-time */
              signedAt: string | null;
              position: {
                /** @description 1-based page number */
                page: number;
                x: number;
                y: number;
                width: number;
                height: number;
              } | null;
            }[];
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  getEnvelopeDocument: {
    parameters: {
      query?: {
        /** @description Default `current` (the signed PDF). */
        version?: 'current' | 'original';
      };
      header?: never;
      path: {
        id: string;
        n: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  getEnvelopeAuditTrail: {
    parameters: {
      query?: {
        /** @description Language of the certificate of completion (`en` or `es`; region subtags ignored). Default: from `Accept-Language`, else `en`. */
        locale?: string;
        /** @description IANA time zone the certificate of completion shows times in, e.g. `Europe/Madrid`. Default `UTC`. The JSON trail is always UTC. */
        timeZone?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The audit trail. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            envelopeId: string;
            /** @enum {string} */
            status: 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';
            events: {
              sequence: number;
              type: string;
              /** Format: date-time */
              occurredAt: string;
              actor: {
                /** @enum {string} */
                type: 'client' | 'person' | 'system';
                id: string;
                name?: string;
                personIndex?: number;
              };
              ip: string | null;
              userAgent: string | null;
              data: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  verifyPdf: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json':
          | {
              /** @description The PDF, base64. */
              content: string;
            }
          | string;
        'application/pdf':
          | {
              /** @description The PDF, base64. */
              content: string;
            }
          | string;
      };
    };
    responses: {
      /** @description The validation report. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            valid: boolean;
            /** @enum {string} */
            indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
            subIndication: string | null;
            signatures: {
              field: string;
              /** @enum {string} */
              indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
              subIndication: string | null;
              errors: string[];
              /** @enum {string|null} */
              level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
              signer: {
                name: string;
                serialNumber?: string;
                country?: string;
                certificateSubject: string;
              };
              /** Format: date-time */
              signingTime: string | null;
              /** Format: date-time */
              timestamp: string | null;
              /** Format: date-time */
              bestSignatureTime: string;
              /** @enum {string} */
              integrity: 'valid' | 'invalid';
              /** @enum {string} */
              chain: 'trusted' | 'untrusted';
              revocation: {
                /** @enum {string} */
                status: 'good' | 'revoked' | 'unknown';
                /** @enum {string|null} */
                source: 'ocsp' | 'crl' | null;
                /** Format: date-time */
                revokedAt: string | null;
              };
              coversWholeDocument: boolean;
              covers: {
                revision: number;
                bytes: number;
              };
              changesAfter: {
                allowed: boolean;
                description: string;
              }[];
            }[];
            documentTimestamps: {
              field: string;
              /** @enum {string} */
              indication: 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
              subIndication: string | null;
              errors: string[];
              /** Format: date-time */
              time: string | null;
              authority: string;
              /** @enum {string} */
              integrity: 'valid' | 'invalid';
              /** @enum {string} */
              chain: 'trusted' | 'untrusted';
              coversWholeDocument: boolean;
              covers: {
                revision: number;
                bytes: number;
              };
              changesAfter: {
                allowed: boolean;
                description: string;
              }[];
            }[];
          };
        };
      };
      /** @description Error */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Error */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description Error */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  resendInvitation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        n: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new link. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            person: number;
            /** @description The new one-time link; returned only here. */
            signingUrl: string;
            /** Format: date-time */
            invitationExpiresAt: string;
            /**
             * @description `queued`: the invitation email is in the outbox; `off`: the Signer sends no email.
             * @enum {string}
             */
            email: 'queued' | 'off';
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such envelope or person for this client. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
      /** @description The envelope is over, or the person signed, rejected or has no link. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  listEnvelopeEmails: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The envelope’s emails. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            emails: {
              id: string;
              /** @enum {string} */
              kind: 'invitation' | 'reminder' | 'completion';
              /** @description The person (0-based) the email is for. */
              person: number;
              to: string;
              locale: string;
              /**
               * @description `pending`: due at `next_attempt_at` (a reminder waits for its hour); `canceled`: no longer wanted (the link was used, replaced or ended first).
               * @enum {string}
               */
              status: 'pending' | 'sent' | 'failed' | 'canceled';
              attempt_count: number;
              /** @description Epoch seconds, while pending. */
              next_attempt_at?: number | null;
              /** @description When the mail server accepted it, epoch seconds. */
              sent_at?: number | null;
              message_id?: string | null;
              last_error?: string | null;
              created_at?: number;
            }[];
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such envelope for this client. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            error:
              | 'invalid_request'
              | 'invalid_document'
              | 'document_too_large'
              | 'invalid_id_token'
              | 'nonce_reused'
              | 'not_found'
              | 'invalid_state'
              | 'invitation_invalid'
              | 'document_purged';
            error_description: string;
            field?: string;
            reason?: string;
            envelopeId?: string;
          };
        };
      };
    };
  };
  streamEvents: {
    parameters: {
      query?: never;
      header?: {
        /** @description The id of the last event received. */
        'last-event-id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The event stream. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': {
            /** @description The event sequence number; the SSE `id`. Deduplicate on it. */
            id: string;
            /** @enum {string} */
            type:
              | 'envelope.created'
              | 'invitation.created'
              | 'email.sent'
              | 'email.failed'
              | 'invitation.opened'
              | 'invitation.resent'
              | 'person.identified'
              | 'document.signed'
              | 'person.signed'
              | 'envelope.completed'
              | 'envelope.rejected'
              | 'envelope.canceled'
              | 'envelope.expired'
              | 'document.downloaded'
              | 'envelope.signed';
            /** @description Epoch seconds. */
            occurred_at: number;
            envelope_id: string;
            data: {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description A malformed Last-Event-ID. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: string;
            error_description?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description Where final-state events of envelopes without a callbackUrl go. */
            url: string | null;
            /** @description Whether a signing secret exists (it is never shown again). */
            has_secret: boolean;
            /** @description Only when this call created the signing secret: store it now. */
            secret?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  setWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description https URL (http only for localhost); null removes it. */
          url: string | null;
        };
      };
    };
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description Where final-state events of envelopes without a callbackUrl go. */
            url: string | null;
            /** @description Whether a signing secret exists (it is never shown again). */
            has_secret: boolean;
            /** @description Only when this call created the signing secret: store it now. */
            secret?: string;
          };
        };
      };
      /** @description A URL that is not allowed. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: string;
            error_description?: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  rotateWebhookSecret: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description The new signing secret, shown this once. */
            secret: string;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listEnvelopeDeliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The envelope id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            deliveries: {
              /** @description Also sent as the `Signet-Delivery-Id` header. */
              id: string;
              event_id: string;
              event_type: string;
              /** @description The envelope’s callbackUrl; null means the client’s webhook URL. */
              url: string | null;
              /** @enum {string} */
              status: 'pending' | 'delivered' | 'failed';
              attempt_count: number;
              next_attempt_at: number | null;
              delivered_at: number | null;
              attempts: {
                /** @description Epoch seconds. */
                attempted_at: number;
                url: string | null;
                /** @description The receiver’s HTTP status; null when none came. */
                status_code: number | null;
                /** @description Why the attempt failed; null on success. */
                error: string | null;
                duration_ms: number;
                /** @description When it is retried (epoch seconds); null if not. */
                next_attempt_at: number | null;
              }[];
            }[];
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such envelope for this client. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: string;
            error_description?: string;
          };
        };
      };
    };
  };
  retryEnvelopeDeliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The envelope id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            retried: number;
          };
        };
      };
      /** @description No access token, or one that is invalid, expired, or not for this API. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such envelope for this client. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: string;
            error_description?: string;
          };
        };
      };
    };
  };
}
