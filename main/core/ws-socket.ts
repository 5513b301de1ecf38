/** RemoteSocket over the `ws` package (Node 20 has no WebSocket client of its own). */
import WebSocket from 'ws';
import type { RemoteSocket, SocketFactory } from './remote-sessions';

export const wsSocketFactory: SocketFactory = (url, subprotocol) => {
  const socket = new WebSocket(url, subprotocol, { maxPayload: 8 * 1024 * 1024, followRedirects: false });
  const remote: RemoteSocket = {
    send: (data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    },
    close: (code) => socket.close(code),
    onOpen: (listener) => socket.on('open', listener),
    onMessage: (listener) => socket.on('message', (data, isBinary) => !isBinary && listener(rawText(data))),
    onClose: (listener) => socket.on('close', (code) => listener(code)),
    onError: (listener) => socket.on('error', listener),
  };
  return remote;
};

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}
