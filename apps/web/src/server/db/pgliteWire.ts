/**
 * Embedded PGlite behind PostgreSQL's wire protocol, so the app reaches it with postgres-js, the
 * driver it uses for a PostgreSQL server: one driver, one set of error codes and connection
 * failures, one bulk-write path. A connection is a Duplex stream that postgres-js takes in place
 * of a socket (its `socket` option); the bytes it writes go straight to PGlite's protocol entry
 * point and PGlite's answer comes back as the stream's data.
 *
 * Why not Drizzle's PGlite driver: PGlite's own `query` prepares every statement anew (an unnamed
 * statement), and planning was about a third of a verification's query. postgres-js names its
 * statements and reuses them, so each query is planned once per connection.
 *
 * PGlite is one session: connections are served one statement batch at a time, in one queue, and
 * a connection that ends inside a transaction has it rolled back, so it holds nothing afterwards.
 */
import { Duplex } from "node:stream";
import type { PGlite } from "@electric-sql/pglite";

const SSL_REQUEST_CODE = 80_877_103;
const TERMINATE = 0x58; // 'X'
const NO_SSL = Buffer.from("N");

/** What postgres-js needs of a socket: a Duplex that says whether it is still open. */
class WireSocket extends Duplex {
  readyState: "open" | "closed" = "open";
  private readonly connection: WireConnection;

  constructor(server: PgliteWire) {
    super();
    this.connection = new WireConnection(
      server,
      (bytes) => this.push(bytes),
      () => this.destroy(),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.connection.receive(chunk);
    done();
  }

  override _read(): void {}

  override _final(done: (error?: Error | null) => void): void {
    this.connection.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.readyState = "closed";
    this.connection.end();
    this.push(null);
    done(error);
  }
}

class WireConnection {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;
  private ended = false;

  private readonly server: PgliteWire;
  private readonly send: (bytes: Buffer) => void;
  private readonly hangUp: () => void;

  constructor(server: PgliteWire, send: (bytes: Buffer) => void, hangUp: () => void) {
    this.server = server;
    this.send = send;
    this.hangUp = hangUp;
  }

  receive(bytes: Buffer): void {
    // A copy: postgres-js may reuse the buffer it wrote from.
    this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    this.server.serially(() =>
      this.run().catch((error: unknown) => {
        // PGlite failed under the connection: hang up, so its queries fail as on a lost server.
        this.hangUp();
        throw error;
      }),
    );
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = Buffer.alloc(0);
    this.server.serially(() => this.server.rollBackLeftovers());
  }

  /** Runs every complete message received so far, in as few calls into PostgreSQL as it can. */
  private async run(): Promise<void> {
    while (!this.ended) {
      if (!this.started) {
        // The startup packet (or an SSL request before it) has no type byte: length, then code.
        if (this.pending.length < 8) return;
        const length = this.pending.readInt32BE(0);
        if (this.pending.length < length) return;
        const packet = this.pending.subarray(0, length);
        const code = this.pending.readInt32BE(4);
        this.pending = this.pending.subarray(length);
        if (code === SSL_REQUEST_CODE) {
          this.send(NO_SSL);
          continue;
        }
        this.started = true;
        await this.execute(packet);
        continue;
      }
      // Typed messages: a type byte, then a length that counts itself but not the type byte.
      let end = 0;
      let terminate = false;
      while (end + 5 <= this.pending.length) {
        if (this.pending[end] === TERMINATE) {
          terminate = true;
          break;
        }
        const next = end + 1 + this.pending.readInt32BE(end + 1);
        if (next > this.pending.length) break;
        end = next;
      }
      if (end > 0) {
        const messages = this.pending.subarray(0, end);
        this.pending = this.pending.subarray(end);
        await this.execute(messages);
      }
      if (terminate) {
        this.hangUp();
        this.end();
      }
      return;
    }
  }

  private async execute(messages: Buffer): Promise<void> {
    const output: Buffer[] = [];
    // PGlite hands out views of its own buffer, reused by its next call: copy them.
    await this.server.database.execProtocolRawStream(messages, {
      onRawData: (data) => output.push(Buffer.from(data)),
    });
    if (!this.ended && output.length > 0) this.send(output.length === 1 ? output[0]! : Buffer.concat(output));
  }
}

export class PgliteWire {
  readonly database: PGlite;
  private queue: Promise<void> = Promise.resolve();

  constructor(database: PGlite) {
    this.database = database;
  }

  /** A new connection, for postgres-js's `socket` option. */
  connect(): Duplex {
    if (this.database.closed) {
      throw Object.assign(new Error("The embedded database (PGlite) is closed"), { code: "CONNECTION_CLOSED" });
    }
    return new WireSocket(this);
  }

  serially(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      console.error(`The embedded database (PGlite) failed: ${error instanceof Error ? error.message : error}`);
    });
  }

  async rollBackLeftovers(): Promise<void> {
    if (!this.database.closed && this.database.isInTransaction()) await this.database.exec("ROLLBACK");
  }

  /** Waits for what is queued, then closes the database (PGlite writes what it holds to its folder). */
  async close(): Promise<void> {
    await this.queue;
    if (!this.database.closed) await this.database.close();
  }
}
