// Test-only OpenID Provider for eidgate's interop tests.
//
// Wraps panva's certified `oidc-provider` (pinned in package.json). Started by
// tests/interop/conftest.py as `node server.mjs <config.json>`; never used in
// production.
//
// Config file (JSON):
//   {
//     "clients":  [ <oidc-provider client metadata>, ... ],
//     "accounts": { "<account id>": { <claims, dotted names allowed> }, ... },
//     "claims":   { "<scope>": ["claim", ...], ... }
//   }
//
// Behaviour:
//   * listens on 127.0.0.1, random port; issuer is http://127.0.0.1:<port>
//   * prints exactly one line `READY <issuer>` on stdout once it accepts
//     requests; everything else (oidc-provider's own warnings) goes to stderr
//   * exits 0 on SIGTERM / SIGINT
//
// Choices worth knowing about:
//   * conformIdTokenClaims: false -- the ID token carries the claims granted
//     through scopes (like Signicat's ID tokens do), not only sub/acr/amr/...
//     The same claims are also served by userinfo.
//   * findAccount: a configured account id yields its claims (sub = the
//     account id); any other login yields a bare account with only `sub`.
//   * PKCE is required for every authorization request, S256 only.
//   * devInteractions abort (GET /interaction/<uid>/abort) redirects to the
//     client's redirect_uri with
//       error=access_denied
//       error_description=End-User aborted interaction
//     (plus state and iss), see actions/interaction.js in oidc-provider.
//   * The provider signs with one RS256 key generated at start-up; its public
//     half is served at jwks_uri. A fresh key on every start.
//   * Only response_type=code. Besides what the tests need, revocation and
//     introspection are on (handy for logout tests); RP-initiated logout is
//     oidc-provider's default; back-channel logout is on (clients with a
//     backchannel_logout_uri get logout tokens when a session ends).
//   * Encrypted ID tokens / userinfo (RSA-OAEP, A128CBC-HS256, ...) carry iss and
//     aud replicated into the JWE protected header; strict JOSE libraries
//     (joserfc's default registry) reject those as unknown header parameters.
//   * stderr always gets two oidc-provider WARNING lines (in-memory adapter,
//     devInteractions); an http issuer on 127.0.0.1 causes no warning.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: node server.mjs <config.json>\n');
  process.exit(2);
}

const config = JSON.parse(readFileSync(configPath, 'utf8'));
const accounts = config.accounts ?? {};

function signingJwk() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    ...jwk, kid: `op-sig-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256',
  };
}

const server = createServer();

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});

const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients ?? [],
  jwks: { keys: [signingJwk()] },
  // Random per run; only needs to be stable for the life of this process.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    ...(config.claims ?? {}),
  },
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  // Explicit lifetimes (seconds) silence oidc-provider's "default ttl" notices. ID tokens
  // live 10 minutes like Signicat's.
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 3600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: 86400,
    ClientCredentials: 600,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
  },
  clientAuthMethods: [
    'client_secret_basic',
    'client_secret_post',
    'client_secret_jwt',
    'private_key_jwt',
    'none',
  ],
  pkce: {
    methods: ['S256'],
    required: () => true,
  },
  features: {
    devInteractions: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    encryption: { enabled: true },
    jwtUserinfo: { enabled: true },
    userinfo: { enabled: true },
    requestObjects: { request: true, requestUri: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    // OpenID Connect Back-Channel Logout 1.0: a confirmed logout at /session/end POSTs a
    // logout token (typ logout+jwt, sub, sid when the client requires it) to every client
    // of the session that registered a backchannel_logout_uri
    backchannelLogout: { enabled: true },
  },
  enabledJWA: {
    idTokenEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'A128KW', 'A256KW', 'dir'],
    idTokenEncryptionEncValues: ['A128CBC-HS256', 'A128GCM', 'A256CBC-HS512', 'A256GCM'],
    userinfoEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'A128KW', 'A256KW', 'dir'],
    userinfoEncryptionEncValues: ['A128CBC-HS256', 'A128GCM', 'A256CBC-HS512', 'A256GCM'],
  },
  async findAccount(ctx, id) {
    const claims = Object.prototype.hasOwnProperty.call(accounts, id) ? accounts[id] : {};
    return {
      accountId: id,
      async claims() {
        return { ...claims, sub: id };
      },
    };
  },
});

server.on('request', provider.callback());
// a logout token the RP did not take (anything but 200/204) shows in the provider's log
provider.on('backchannel.error', (ctx, err, client) => {
  process.stderr.write(`BACKCHANNEL ERROR ${client.clientId}: ${err.message}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Belt and braces: never linger.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

process.stdout.write(`READY ${issuer}\n`);
