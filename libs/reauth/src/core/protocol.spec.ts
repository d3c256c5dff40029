import {
  PROTOCOL as HELPER,
  RECONNECT_REQUIRED_ERROR as HELPER_RECONNECT,
} from '../../../reauth-client/src/protocol';
import { PROTOCOL, RECONNECT_REQUIRED_ERROR } from './protocol';

describe('PROTOCOL', () => {
  it('says what the browser helper says (header names compared as HTTP compares them)', () => {
    expect(Object.keys(PROTOCOL).sort()).toEqual(Object.keys(HELPER).sort());
    expect(PROTOCOL.modeHeader).toBe(HELPER.modeHeader.toLowerCase());
    expect(PROTOCOL.idHeader).toBe(HELPER.idHeader.toLowerCase());
    expect(PROTOCOL.marker).toBe(HELPER.marker);
    expect(PROTOCOL.idMarker).toBe(HELPER.idMarker);
    expect(PROTOCOL.popupMessageType).toBe(HELPER.popupMessageType);
    expect(PROTOCOL.socketErrorEvent).toBe(HELPER.socketErrorEvent);
  });

  it('names the WebSocket refusal that a new connection settles as the helper does', () => {
    expect(RECONNECT_REQUIRED_ERROR).toBe(HELPER_RECONNECT);
  });
});
