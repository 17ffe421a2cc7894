// A DNS server on 127.0.0.1:53 that knows no names: every query gets NXDOMAIN. Run inside a network
// namespace whose resolv.conf points here, so a lookup fails for real without leaving the machine.
import { createSocket } from 'node:dgram';

const server = createSocket('udp4');
server.on('message', (query, from) => {
  if (query.length < 12) return;
  // Skip the one question's name (length-prefixed labels, ending in a zero byte), then type and class.
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end] + 1;
  end += 5;
  if (end > query.length) return;
  const answer = Buffer.from(query.subarray(0, end));
  answer[2] = 0x80 | (query[2] & 0x79); // a response; keep opcode and RD
  answer[3] = 0x80 | 3; // recursion available, NXDOMAIN
  answer.writeUInt16BE(1, 4);
  answer.writeUInt16BE(0, 6);
  answer.writeUInt16BE(0, 8);
  answer.writeUInt16BE(0, 10);
  server.send(answer, from.port, from.address);
});
server.bind(53, '127.0.0.1', () => console.log('ready'));
