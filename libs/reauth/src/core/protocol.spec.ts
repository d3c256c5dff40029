import { PROTOCOL as HELPER } from '../../../reauth-client/src/protocol';
import { PROTOCOL } from './protocol';

describe('PROTOCOL', () => {
  it('says what the browser helper says (header names compared as HTTP compares them)', () => {
    expect(Object.keys(PROTOCOL).sort()).toEqual(Object.keys(HELPER).sort());
    expect(PROTOCOL.modeHeader).toBe(HELPER.modeHeader.toLowerCase());
    expect(PROTOCOL.idHeader).toBe(HELPER.idHeader.toLowerCase());
    expect(PROTOCOL.marker).toBe(HELPER.marker);
    expect(PROTOCOL.idMarker).toBe(HELPER.idMarker);
    expect(PROTOCOL.popupMessageType).toBe(HELPER.popupMessageType);
  });
});
