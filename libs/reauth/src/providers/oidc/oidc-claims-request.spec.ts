import { mergeClaimsRequests } from './oidc-claims-request';

const ACRS = { access_token: { acrs: { essential: true, value: 'c1' } } };

describe('mergeClaimsRequests', () => {
  it('adds the relayed request to the sign-in own, which keeps auth_time', () => {
    expect(
      JSON.parse(mergeClaimsRequests('{"id_token":{"auth_time":{"essential":true}}}', ACRS)),
    ).toEqual({
      id_token: { auth_time: { essential: true } },
      ...ACRS,
    });
  });

  it('asks for auth_time in the ID token when there was no claims request', () => {
    expect(JSON.parse(mergeClaimsRequests(undefined, ACRS))).toEqual({
      id_token: { auth_time: { essential: true } },
      ...ACRS,
    });
  });

  it("keeps the app's own claims (Entra's xms_cc), the app's request winning per claim", () => {
    const app = JSON.stringify({
      access_token: { xms_cc: { values: ['cp1'] }, acrs: { value: 'old' } },
      userinfo: { email: null },
    });
    expect(JSON.parse(mergeClaimsRequests(app, ACRS))).toEqual({
      access_token: { xms_cc: { values: ['cp1'] }, acrs: { value: 'old' } },
      userinfo: { email: null },
      id_token: { auth_time: { essential: true } },
    });
  });

  it("cannot lift the app's requests nor the library's essential auth_time", () => {
    const app = JSON.stringify({
      id_token: { auth_time: { essential: true }, acr: { essential: true, values: ['urn:mfa'] } },
      access_token: { xms_cc: { values: ['cp1'] } },
    });
    const relayed = {
      id_token: { auth_time: { essential: false }, acr: null },
      access_token: { xms_cc: null, nbf: { essential: true, value: '1604106651' } },
    };
    expect(JSON.parse(mergeClaimsRequests(app, relayed))).toEqual({
      id_token: { auth_time: { essential: true }, acr: { essential: true, values: ['urn:mfa'] } },
      access_token: { xms_cc: { values: ['cp1'] }, nbf: { essential: true, value: '1604106651' } },
    });
    expect(JSON.parse(mergeClaimsRequests(undefined, relayed)).id_token).toEqual({
      auth_time: { essential: true },
      acr: null,
    });
  });

  it('asks for auth_time as essential even where the app asked for it as voluntary', () => {
    const app = JSON.stringify({ id_token: { auth_time: { essential: false }, acr: null } });
    expect(JSON.parse(mergeClaimsRequests(app, ACRS)).id_token).toEqual({
      auth_time: { essential: true },
      acr: null,
    });
  });
});
