// The one error of the HTTP/1.1 receive path's parsing, shared by the head rules and the body framing.
// Its codes are llhttp's names (what Node's own parser reports), so an error maps the same way whichever
// parser met the response.

export type ProtocolErrorCode =
  | 'HPE_HEADER_OVERFLOW'
  | 'HPE_INVALID_CONSTANT'
  | 'HPE_INVALID_VERSION'
  | 'HPE_INVALID_STATUS'
  | 'HPE_INVALID_HEADER_TOKEN'
  | 'HPE_INVALID_CONTENT_LENGTH'
  | 'HPE_UNEXPECTED_CONTENT_LENGTH'
  | 'HPE_INVALID_TRANSFER_ENCODING'
  | 'HPE_INVALID_CHUNK_SIZE'
  | 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
  | 'HPE_CR_EXPECTED'
  | 'HPE_LF_EXPECTED';

/** A response that breaks HTTP/1.1's framing rules; nothing after it on the connection can be trusted. */
export class HttpProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

export function protocolError(code: ProtocolErrorCode, message: string): HttpProtocolError {
  return new HttpProtocolError(code, message);
}
