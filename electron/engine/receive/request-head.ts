const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** CR, LF and NUL would let a value end the line and smuggle in a field of its own. */
const UNSAFE_VALUE = /[\r\n\0]/;

/**
 * The bytes of an HTTP/1.1 request head without a body. Host comes from the URL unless given; the body is
 * always asked for as it is stored (`Accept-Encoding: identity`), since ranges are offsets into those bytes.
 * Keep-alive is HTTP/1.1's default, so no Connection field is sent.
 */
export function requestHead(method: 'GET' | 'HEAD', url: URL, headers: Record<string, string>): string {
  let host = `Host: ${url.host}\r\n`;
  let fields = '';
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'accept-encoding' || lower === 'connection') continue;
    if (!TOKEN.test(name)) throw Object.assign(new TypeError(`invalid header name ${JSON.stringify(name)}`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (UNSAFE_VALUE.test(value)) throw Object.assign(new TypeError(`invalid character in header ${name}`), { code: 'ERR_INVALID_CHAR' });
    if (lower === 'host') host = `Host: ${value}\r\n`;
    else fields += `${name}: ${value}\r\n`;
  }
  return `${method} ${url.pathname || '/'}${url.search} HTTP/1.1\r\n${host}${fields}Accept-Encoding: identity\r\n\r\n`;
}
