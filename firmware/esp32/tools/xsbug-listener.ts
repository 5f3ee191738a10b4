/**
 * The debugger end of a Moddable debug build, for running one headless: a
 * `-d` build connects to XSBUG_HOST:XSBUG_PORT at start and sends trace()
 * output as `<log>` elements of the xsbug protocol (a release build on lin
 * prints nothing). This listener answers the login and any break with `<go/>`,
 * so the machine runs on, and hands each log text to `onLog`.
 */
import net from 'node:net';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity) => {
    if (entity[1] !== '#') return ENTITIES[entity] ?? entity;
    const code = entity[2] === 'x' || entity[2] === 'X' ? parseInt(entity.slice(3, -1), 16) : Number(entity.slice(2, -1));
    return String.fromCodePoint(code);
  });
}

export interface XsbugListener {
  port: number;
  close(): void;
}

export function listenForXsbug(onLog: (text: string) => void): Promise<XsbugListener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let pending = '';
    socket.on('data', (data: string) => {
      pending += data;
      for (;;) {
        const end = pending.indexOf('</xsbug>');
        if (end < 0) break;
        const message = pending.slice(0, end);
        pending = pending.slice(end + '</xsbug>'.length);
        // The machine waits for a command after logging in and at every break.
        if (/<login |<break /.test(message)) socket.write('\r\n<go/>\r\n');
        for (const log of message.matchAll(/<log(?: path="([^"]*)" line="(\d+)")?[^>]*>([\s\S]*?)<\/log>/g)) {
          // Exceptions and warnings come with the place they happened.
          const where = log[1] !== undefined && log[3].startsWith('#') ? ` (${unescapeXml(log[1])}:${log[2]})` : '';
          onLog(unescapeXml(log[3]).replace(/\n?$/, `${where}\n`));
        }
        const broke = /<break [^>]*>([\s\S]*?)<\/break>/.exec(message);
        if (broke !== null) onLog(`# break: ${unescapeXml(broke[1])}\n`);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        close() {
          for (const socket of sockets) socket.destroy();
          server.close();
        },
      });
    });
  });
}
