/**
 * A TCP proxy the fault tests control: put it between the app and its chain node or PostgreSQL
 * server, then make the network misbehave on demand.
 *
 * - `down()`: the port stops listening and every open connection is reset, as when the server
 *   process dies or a firewall rejects the port (clients see ECONNRESET, then ECONNREFUSED);
 * - `stall()`: connections are accepted (and open ones kept) but nothing passes either way, as
 *   on a link that silently drops packets (clients only notice through their own timeouts);
 * - `up()`: forwarding resumes on the same port; stalled connections are reset first, since
 *   whatever they carried is lost.
 *
 * ```ts
 * const proxy = await startTcpProxy({ port: 8545 });
 * const url = `http://127.0.0.1:${proxy.port}`;   // give the app this instead of the server's
 * await proxy.down();  ...  await proxy.up();
 * await proxy.close();
 * ```
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type ProxyMode = "up" | "down" | "stall";

export interface TcpProxy {
  /** The loopback port clients connect to (the same across down() and up()). */
  port: number;
  mode(): ProxyMode;
  /** Connections accepted since the proxy started. */
  connections(): number;
  up(): Promise<void>;
  down(): Promise<void>;
  stall(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { port: number; host?: string }): Promise<TcpProxy> {
  const host = target.host ?? "127.0.0.1";
  let mode: ProxyMode = "up";
  let accepted = 0;
  let server: Server | null = null;
  const open = new Set<Socket>();

  const resetAll = () => {
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };

  const onConnection = (client: Socket) => {
    accepted++;
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => {});
    if (mode === "stall") {
      client.pause();
      return;
    }
    const upstream = connect({ port: target.port, host });
    open.add(upstream);
    upstream.on("close", () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.resetAndDestroy());
    client.on("close", () => upstream.destroy());
    // Data flows only while up: in a stall both directions stop where they are.
    client.on("data", (chunk) => {
      if (mode === "up") upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (mode === "up") client.write(chunk);
    });
  };

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        server = next;
        const address = next.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = null;
      if (current === null) return resolve();
      current.close(() => resolve());
    });

  const port = await listen(0);

  return {
    port,
    mode: () => mode,
    connections: () => accepted,
    async up() {
      if (mode === "stall") resetAll();
      mode = "up";
      if (server === null) {
        // Another process could take the port in the gap; retry briefly rather than fail a test on it.
        for (let attempt = 0; ; attempt++) {
          try {
            await listen(port);
            break;
          } catch (error) {
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    },
    async down() {
      mode = "down";
      const closed = stopListening();
      resetAll();
      await closed;
    },
    async stall() {
      mode = "stall";
      for (const socket of open) socket.pause();
      if (server === null) await listen(port);
    },
    async close() {
      mode = "down";
      const closed = stopListening();
      resetAll();
      await closed;
    },
  };
}
