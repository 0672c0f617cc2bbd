import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { Connection, Container, EventContext, Message, Receiver, Sender } from 'rhea';
import rhea from 'rhea';

/**
 * A small AMQP 1.0 peer that speaks enough of the Event Hubs protocol for the real
 * `@azure/event-hubs` SDK to run against it, on a plain TCP port of 127.0.0.1. No Event Hubs
 * emulator can run in this test environment, so this is how the product's Event Hubs code is
 * tested over real AMQP. It is built on `rhea`, the AMQP library under the SDK.
 *
 * What it does, as the service does:
 * - claims-based security: `put-token` on `$cbs`; a SAS token is checked against the peer's key
 *   (HMAC-SHA256 over the URL-encoded audience and expiry; Entra ID `jwt` tokens are refused);
 *   a bad one is refused with status 401, a token for an unknown hub with 404 ("The messaging
 *   entity … could not be found", the text the service sends, which the SDK turns into
 *   `MessagingEntityNotFoundError`);
 * - management: `READ` of `com.microsoft:eventhub` (name, created_at, partition_count,
 *   partition_ids) and `com.microsoft:partition` (begin/last enqueued sequence number, last
 *   enqueued offset and time, is_partition_empty) on `$management`;
 * - receiving: sender links to `<hub>` or `<hub>/Partitions/<id>`; batched transfers (message
 *   format 0x80013700, one data section per event) are split into events, each given the next
 *   sequence number, offset and enqueued time of its partition; sends to the hub without a
 *   partition go round-robin, or by a hash of the partition key (not the service's hash);
 * - the link's `max_message_size` (1 MiB, the Standard tier's) is advertised: the SDK sizes its
 *   batches by it;
 * - faults on demand (`injectFault`): server-busy throttling, entity-not-found, internal errors.
 *
 * Connecting the SDK: the connection string from `connectionString()` carries
 * `UseDevelopmentEmulator=true`, which makes the SDK use plain TCP instead of TLS, on the port in
 * the `Endpoint` (as for the Event Hubs emulator), e.g.
 * `new EventHubProducerClient(peer.connectionString('flows'))`.
 *
 * Setting what `getPartitionProperties` answers, e.g. for code that reads how far a partition
 * has been written:
 * ```ts
 * const peer = await EventHubsPeer.start({ hubs: { flows: { partitionIds: ['0', '1'] } } });
 * peer.setPartition('flows', '0', { lastEnqueuedSequenceNumber: 41, lastEnqueuedTimeUtc: new Date('2026-01-01T00:05:00Z') });
 * // … run the code under test with peer.connectionString('flows') …
 * await peer.stop();
 * ```
 */
export class EventHubsPeer {
  /** The SAS key name and key that `connectionString()` uses and `put-token` checks. */
  static readonly keyName = 'peer-sender';
  static readonly key = 'dGVzdC1vbmx5LWtleS1mb3ItdGhlLWxvY2FsLXBlZXI=';
  /** Advertised on every link to a hub: the Standard tier's event size limit. */
  static readonly maxMessageBytes = 1024 * 1024;

  readonly port: number;
  /** Every `put-token` request, accepted or refused. */
  readonly tokens: TokenRequest[] = [];
  /** Every management request, answered or refused. */
  readonly managementRequests: ManagementRequest[] = [];
  /** Every transfer that reached a hub link, with its outcome. */
  readonly transfers: TransferRecord[] = [];

  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #hubs = new Map<string, HubState>();
  readonly #faults: InjectedFault[] = [];
  readonly #now: () => number;

  private constructor(container: Container, server: Server, port: number, options: EventHubsPeerOptions) {
    this.#server = server;
    this.port = port;
    this.#now = options.now ?? (() => Date.now());
    for (const [name, hub] of Object.entries(options.hubs ?? { flows: {} })) this.addHub(name, hub);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    container.on('receiver_open', (context: EventContext) => this.#onClientSender(context));
    container.on('sender_open', (context: EventContext) => this.#onClientReceiver(context));
    container.on('message', (context: EventContext) => this.#onMessage(context));
    // A client that goes away mid-link is normal for a server; rhea would otherwise throw.
    container.on('error', () => undefined);
    container.on('disconnected', () => undefined);
  }

  /** Starts a peer on a free port of 127.0.0.1. Hubs default to one hub `flows` with partitions 0 and 1. */
  static async start(options: EventHubsPeerOptions = {}): Promise<EventHubsPeer> {
    const container = rhea.create_container({ id: 'eventhubs-peer', autoaccept: false });
    const server = container.listen({ port: 0, host: '127.0.0.1' }) as unknown as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return new EventHubsPeer(container, server, port, options);
  }

  /** The host name that audiences and the connection string use. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /**
   * A connection string for the SDK: plain TCP to this peer (`UseDevelopmentEmulator=true`),
   * signed with the peer's key; with `hub`, `EntityPath` names it.
   */
  connectionString(hub?: string, key: string = EventHubsPeer.key): string {
    return [
      `Endpoint=sb://${this.host}`,
      `SharedAccessKeyName=${EventHubsPeer.keyName}`,
      `SharedAccessKey=${key}`,
      ...(hub === undefined ? [] : [`EntityPath=${hub}`]),
      'UseDevelopmentEmulator=true',
    ].join(';');
  }

  /** Adds (or replaces) a hub; partitions start empty. */
  addHub(name: string, options: HubOptions = {}): void {
    const partitionIds = options.partitionIds ?? ['0', '1'];
    this.#hubs.set(name, {
      createdOn: options.createdOn ?? new Date('2026-01-01T00:00:00Z'),
      partitions: new Map(partitionIds.map((id) => [id, emptyPartition()])),
      nextRoundRobin: 0,
    });
  }

  /**
   * Sets what `getPartitionProperties` answers for one partition. Fields not given keep their
   * value; `isEmpty` follows `lastEnqueuedSequenceNumber` (−1 means empty) unless given. Events
   * received later continue from these numbers.
   */
  setPartition(hub: string, partitionId: string, properties: Partial<PartitionProperties>): void {
    const state = this.#partition(hub, partitionId);
    Object.assign(state, properties);
    if (properties.isEmpty === undefined && properties.lastEnqueuedSequenceNumber !== undefined) {
      state.isEmpty = properties.lastEnqueuedSequenceNumber < 0;
    }
  }

  /** What `getPartitionProperties` answers now for one partition. */
  partition(hub: string, partitionId: string): PartitionProperties {
    return { ...this.#partition(hub, partitionId) };
  }

  /**
   * The events received, in the order they were enqueued; optionally of one hub and partition.
   */
  received(hub?: string, partitionId?: string): ReceivedEvent[] {
    const out: ReceivedEvent[] = [];
    for (const [name, state] of this.#hubs) {
      if (hub !== undefined && name !== hub) continue;
      for (const [id, p] of state.partitions) {
        if (partitionId !== undefined && id !== partitionId) continue;
        out.push(...p.events);
      }
    }
    return out.sort((a, b) => a.enqueuedOrder - b.enqueuedOrder);
  }

  /**
   * Makes the next `times` operations of a kind fail as the service fails them:
   * - `server-busy`: `com.microsoft:server-busy` ("…the entity is being throttled", retried by the SDK);
   * - `entity-not-found`: `amqp:not-found` with the service's "could not be found" text (not retried);
   * - `internal-error`: `amqp:internal-error` (retried by the SDK).
   * A `send` fault rejects a transfer (nothing is enqueued); a `management` fault refuses a request.
   */
  injectFault(fault: { operation: 'send' | 'management'; kind: FaultKind; times?: number }): void {
    this.#faults.push({ operation: fault.operation, kind: fault.kind, remaining: fault.times ?? 1 });
  }

  /** Closes every connection and the listening socket. */
  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #partition(hub: string, partitionId: string): PartitionState {
    const state = this.#hubs.get(hub)?.partitions.get(partitionId);
    if (state === undefined) throw new Error(`the peer has no partition ${hub}/${partitionId}`);
    return state;
  }

  #takeFault(operation: 'send' | 'management'): FaultKind | undefined {
    const fault = this.#faults.find((f) => f.operation === operation && f.remaining > 0);
    if (fault === undefined) return undefined;
    fault.remaining--;
    return fault.kind;
  }

  /** The client attached a sender: a hub (or one of its partitions), `$cbs` or `$management`. */
  #onClientSender(context: EventContext): void {
    const receiver = context.receiver as Receiver;
    const address = targetAddress(receiver);
    if (address === CBS || address === MANAGEMENT) {
      receiver.add_credit(100);
      return;
    }
    const entity = parseEntity(address);
    const hub = entity === undefined ? undefined : this.#hubs.get(entity.hub);
    if (
      entity === undefined ||
      hub === undefined ||
      (entity.partitionId !== undefined && !hub.partitions.has(entity.partitionId))
    ) {
      receiver.close(notFound(`sb://${this.host}/${address}`));
      return;
    }
    (receiver as unknown as LocalAttach).local.attach.max_message_size = EventHubsPeer.maxMessageBytes;
    receiver.add_credit(1000);
  }

  /** The client attached a receiver: the reply link of `$cbs` or `$management`. */
  #onClientReceiver(context: EventContext): void {
    const sender = context.sender as Sender;
    const source = (sender as unknown as RemoteAttach).remote.attach?.source?.address;
    if (source !== CBS && source !== MANAGEMENT) {
      sender.close({
        condition: 'amqp:not-implemented',
        description: 'the peer does not serve receivers for events',
      });
    }
  }

  #onMessage(context: EventContext): void {
    const receiver = context.receiver as Receiver;
    const message = context.message as Message;
    const address = targetAddress(receiver);
    const delivery = context.delivery;
    if (address === CBS) {
      delivery?.accept();
      this.#reply(context, message, this.#putToken(message));
    } else if (address === MANAGEMENT) {
      delivery?.accept();
      this.#reply(context, message, this.#manage(message));
    } else {
      const format = (delivery as unknown as { format?: number } | undefined)?.format ?? 0;
      const outcome = this.#enqueue(address, context.message as Message | Buffer, format);
      this.transfers.push({ address, outcome: outcome === undefined ? 'accepted' : outcome.condition });
      if (outcome === undefined) delivery?.accept();
      else delivery?.reject(outcome);
      receiver.add_credit(1);
    }
  }

  #putToken(message: Message): Reply {
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    const audience = String(props.name ?? '');
    const tokenType = String(props.type ?? '');
    const token = typeof message.body === 'string' ? message.body : String(message.body ?? '');
    const refuse = (status: number, description: string): Reply => {
      this.tokens.push({ audience, tokenType, accepted: false });
      return { status, description };
    };
    if (props.operation !== 'put-token') return refuse(400, `unknown operation ${String(props.operation)}`);
    const validity = this.#checkToken(token, tokenType, audience);
    if (validity !== undefined) return refuse(401, validity);
    const entity = parseEntity(audience.replace(/^(amqps?|sb):\/\/[^/]+\/?/, ''));
    if (entity !== undefined && !this.#hubs.has(entity.hub)) {
      return refuse(404, notFound(audience).description);
    }
    this.tokens.push({ audience, tokenType, accepted: true });
    return { status: 202, description: 'Accepted' };
  }

  /** Why a token is refused, or undefined when it is good for the audience. */
  #checkToken(token: string, tokenType: string, audience: string): string | undefined {
    if (tokenType !== 'servicebus.windows.net:sastoken') {
      return `InvalidIssuer: the peer accepts SAS tokens only, not ${tokenType}`;
    }
    const fields = new URLSearchParams(token.replace(/^SharedAccessSignature /, ''));
    const sr = fields.get('sr');
    const sig = fields.get('sig');
    const se = fields.get('se');
    if (sr === null || sig === null || se === null) return 'InvalidSignature: the token is malformed';
    if (fields.get('skn') !== EventHubsPeer.keyName) return 'InvalidSignature: unknown key name';
    if (Number(se) * 1000 < this.#now()) return 'ExpiredToken: the token has expired';
    const toSign = `${encodeURIComponent(sr)}\n${se}`;
    const expected = createHmac('sha256', EventHubsPeer.key).update(toSign).digest();
    const given = Buffer.from(sig, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'InvalidSignature: the token has an invalid signature';
    }
    if (!audience.startsWith(sr) && !sr.startsWith(audience))
      return 'InvalidAudience: the token is for another entity';
    return undefined;
  }

  #manage(message: Message): Reply {
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    const name = String(props.name ?? '');
    const type = String(props.type ?? '');
    const partitionId = props.partition === undefined ? undefined : String(props.partition);
    const record = (outcome: string): void => {
      this.managementRequests.push({ operation: String(props.operation), type, name, partitionId, outcome });
    };
    const securityError =
      typeof props.security_token === 'string'
        ? this.#checkToken(
            props.security_token,
            props.security_token.startsWith('SharedAccessSignature ')
              ? 'servicebus.windows.net:sastoken'
              : 'jwt',
            `sb://${this.host}/${name}`,
          )
        : 'the request carries no security_token';
    if (securityError !== undefined) {
      record('unauthorized');
      return { status: 401, description: securityError, condition: 'amqp:unauthorized-access' };
    }
    const fault = this.#takeFault('management');
    if (fault !== undefined) {
      record(fault);
      const error = faultError(fault, `sb://${this.host}/${name}`);
      return { status: FAULT_STATUS[fault], description: error.description, condition: error.condition };
    }
    const hub = this.#hubs.get(name);
    if (props.operation !== 'READ') {
      record('bad-request');
      return { status: 400, description: `unknown operation ${String(props.operation)}` };
    }
    if (hub === undefined) {
      record('not-found');
      const error = notFound(`sb://${this.host}/${name}`);
      return { status: 404, description: error.description, condition: error.condition };
    }
    if (type === 'com.microsoft:eventhub') {
      record('ok');
      return {
        status: 200,
        description: 'OK',
        body: {
          name,
          type,
          created_at: hub.createdOn,
          partition_count: rhea.types.wrap_int(hub.partitions.size),
          partition_ids: [...hub.partitions.keys()],
        },
      };
    }
    if (type === 'com.microsoft:partition') {
      const p = partitionId === undefined ? undefined : hub.partitions.get(partitionId);
      if (p === undefined) {
        record('not-found');
        const error = notFound(`sb://${this.host}/${name}/Partitions/${partitionId ?? ''}`);
        return { status: 404, description: error.description, condition: error.condition };
      }
      record('ok');
      return {
        status: 200,
        description: 'OK',
        body: {
          name,
          type,
          partition: partitionId,
          begin_sequence_number: rhea.types.wrap_long(p.beginningSequenceNumber),
          last_enqueued_sequence_number: rhea.types.wrap_long(p.lastEnqueuedSequenceNumber),
          last_enqueued_offset: p.lastEnqueuedOffset,
          last_enqueued_time_utc: p.lastEnqueuedTimeUtc,
          is_partition_empty: p.isEmpty,
        },
      };
    }
    record('bad-request');
    return { status: 400, description: `unknown entity type ${type}` };
  }

  /**
   * Enqueues a transfer's events; returns the rejection, if any. rhea hands over a transfer of
   * another message format than 0 undecoded: a batch arrives as the encoded envelope.
   */
  #enqueue(address: string, transfer: Message | Buffer, format: number): PeerError | undefined {
    const entity = parseEntity(address);
    const hub = entity === undefined ? undefined : this.#hubs.get(entity.hub);
    if (entity === undefined || hub === undefined) return notFound(`sb://${this.host}/${address}`);
    const fault = this.#takeFault('send');
    if (fault !== undefined) return faultError(fault, `sb://${this.host}/${address}`);
    const message = Buffer.isBuffer(transfer) ? decodeMessage(transfer) : transfer;
    const inner = format === BATCH_FORMAT ? dataSections(message).map(decodeMessage) : [message];
    const annotations = (message.message_annotations ?? {}) as Record<string, unknown>;
    const partitionKey =
      typeof annotations['x-opt-partition-key'] === 'string' ? annotations['x-opt-partition-key'] : undefined;
    const ids = [...hub.partitions.keys()];
    const partitionId =
      entity.partitionId ??
      (partitionKey !== undefined
        ? (ids[stringHash(partitionKey) % ids.length] as string)
        : (ids[hub.nextRoundRobin++ % ids.length] as string));
    const p = hub.partitions.get(partitionId) as PartitionState;
    for (const event of inner) {
      const body = dataBody(event);
      // Offsets are byte positions in the partition, as in the service (opaque to clients).
      const offset = Math.max(p.nextOffset, Number(p.lastEnqueuedOffset) + 1);
      p.nextOffset = offset + Math.max(1, body.length);
      p.lastEnqueuedSequenceNumber++;
      p.lastEnqueuedOffset = String(offset);
      p.lastEnqueuedTimeUtc = new Date(this.#now());
      p.isEmpty = false;
      p.events.push({
        hub: entity.hub,
        partitionId,
        sequenceNumber: p.lastEnqueuedSequenceNumber,
        offset: p.lastEnqueuedOffset,
        enqueuedTimeUtc: p.lastEnqueuedTimeUtc,
        body,
        properties: (event.application_properties ?? {}) as Record<string, unknown>,
        partitionKey,
        enqueuedOrder: ++enqueuedCounter,
      });
    }
    return undefined;
  }

  #reply(context: EventContext, request: Message, reply: Reply): void {
    const replyTo = request.reply_to;
    const connection = context.connection as Connection;
    const sender = findReplySender(connection, targetAddress(context.receiver as Receiver), replyTo);
    if (sender === undefined) return;
    sender.send({
      ...(request.message_id === undefined ? {} : { correlation_id: request.message_id }),
      application_properties: {
        'status-code': rhea.types.wrap_int(reply.status),
        'status-description': reply.description,
        ...(reply.condition === undefined
          ? {}
          : { 'error-condition': rhea.types.wrap_symbol(reply.condition) }),
      },
      body: reply.body ?? null,
    });
  }
}

/** Which hubs the peer serves. */
export interface EventHubsPeerOptions {
  /** Hub name → options; defaults to `{ flows: {} }` (partitions 0 and 1). */
  readonly hubs?: Readonly<Record<string, HubOptions>>;
  /** The clock for enqueued times and token expiry (default: the wall clock). */
  readonly now?: () => number;
}

export interface HubOptions {
  /** Default `['0', '1']`. */
  readonly partitionIds?: readonly string[];
  readonly createdOn?: Date;
}

/** What `getPartitionProperties` reports for a partition (the SDK's names). */
export interface PartitionProperties {
  beginningSequenceNumber: number;
  /** −1 for an empty partition, as the service reports it. */
  lastEnqueuedSequenceNumber: number;
  lastEnqueuedOffset: string;
  lastEnqueuedTimeUtc: Date;
  isEmpty: boolean;
}

/** One event as the peer enqueued it. */
export interface ReceivedEvent {
  readonly hub: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeUtc: Date;
  /** The event's body bytes, exactly as sent. */
  readonly body: Buffer;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly partitionKey: string | undefined;
  /** Order across all partitions. */
  readonly enqueuedOrder: number;
}

export interface TokenRequest {
  readonly audience: string;
  readonly tokenType: string;
  readonly accepted: boolean;
}

export interface ManagementRequest {
  readonly operation: string;
  readonly type: string;
  readonly name: string;
  readonly partitionId: string | undefined;
  /** `ok`, `not-found`, `unauthorized`, `bad-request` or the injected fault's kind. */
  readonly outcome: string;
}

export interface TransferRecord {
  readonly address: string;
  /** `accepted` or the rejection's AMQP condition. */
  readonly outcome: string;
}

export type FaultKind = 'server-busy' | 'entity-not-found' | 'internal-error';

const CBS = '$cbs';
const MANAGEMENT = '$management';
/** The message format of a batch of events (one data section per encoded event). */
const BATCH_FORMAT = 0x80013700;
const FAULT_STATUS: Readonly<Record<FaultKind, number>> = {
  'server-busy': 503,
  'entity-not-found': 404,
  'internal-error': 500,
};

let enqueuedCounter = 0;

interface HubState {
  readonly createdOn: Date;
  readonly partitions: Map<string, PartitionState>;
  nextRoundRobin: number;
}

interface PartitionState extends PartitionProperties {
  nextOffset: number;
  readonly events: ReceivedEvent[];
}

interface InjectedFault {
  readonly operation: 'send' | 'management';
  readonly kind: FaultKind;
  remaining: number;
}

/** An AMQP error as the peer sends it. */
interface PeerError {
  readonly condition: string;
  readonly description: string;
}

interface Reply {
  readonly status: number;
  readonly description: string;
  readonly condition?: string;
  readonly body?: Record<string, unknown>;
}

/** rhea keeps the attach frames on the link; its typings do not show them. */
interface LocalAttach {
  readonly local: { readonly attach: { max_message_size?: number } };
}
interface RemoteAttach {
  readonly remote: {
    readonly attach?: { readonly source?: { address?: string }; readonly target?: { address?: string } };
  };
}

function emptyPartition(): PartitionState {
  return {
    beginningSequenceNumber: 0,
    lastEnqueuedSequenceNumber: -1,
    lastEnqueuedOffset: '-1',
    lastEnqueuedTimeUtc: new Date(0),
    isEmpty: true,
    nextOffset: 0,
    events: [],
  };
}

function targetAddress(receiver: Receiver): string {
  return (receiver as unknown as RemoteAttach).remote.attach?.target?.address ?? '';
}

/** `hub`, `hub/Partitions/3` (and the `$management` suffix of a management audience). */
function parseEntity(path: string): { hub: string; partitionId: string | undefined } | undefined {
  const parts = path.replace(/\/\$management$/, '').split('/');
  const [hub] = parts;
  if (hub === undefined || hub === '') return undefined;
  if (parts.length === 1) return { hub, partitionId: undefined };
  if (parts.length === 3 && parts[1]?.toLowerCase() === 'partitions') return { hub, partitionId: parts[2] };
  return undefined;
}

function notFound(entity: string): PeerError {
  return {
    condition: 'amqp:not-found',
    description: `The messaging entity '${entity}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
  };
}

function faultError(kind: FaultKind, entity: string): PeerError {
  switch (kind) {
    case 'server-busy':
      return {
        condition: 'com.microsoft:server-busy',
        description: `The request was terminated because the entity is being throttled. Error code : 50002. Sub error : 102. Please wait 4 seconds and try again. ${entity}`,
      };
    case 'entity-not-found':
      return notFound(entity);
    case 'internal-error':
      return {
        condition: 'amqp:internal-error',
        description: 'The service was unable to process the request; please retry the operation.',
      };
  }
}

function decodeMessage(encoded: Buffer): Message {
  return rhea.message.decode(encoded) as unknown as Message;
}

/** The data sections of a batch envelope, as buffers. */
function dataSections(message: Message): Buffer[] {
  const body = message.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (body === undefined || body.typecode !== 0x75) return [];
  const content = body.multiple === true ? (body.content as Buffer[]) : [body.content as Buffer];
  return content.filter((c): c is Buffer => Buffer.isBuffer(c));
}

/** An event's body bytes: its data section, or the UTF-8 of a string or JSON value body. */
function dataBody(message: Message): Buffer {
  const body = message.body as unknown;
  if (typeof body === 'object' && body !== null && (body as { typecode?: number }).typecode === 0x75) {
    const content = (body as { content?: unknown }).content;
    if (Buffer.isBuffer(content)) return content;
    if (Array.isArray(content)) return Buffer.concat(content.filter((c): c is Buffer => Buffer.isBuffer(c)));
    return Buffer.alloc(0);
  }
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null), 'utf8');
}

/** The peer-side sender of the client's reply link on the same connection. */
function findReplySender(
  connection: Connection,
  node: string,
  replyTo: string | undefined,
): Sender | undefined {
  const candidates: Sender[] = [];
  let match: Sender | undefined;
  connection.each_link((link: Sender & RemoteAttach & { name: string }) => {
    if (!link.is_sender() || link.remote.attach?.source?.address !== node) return;
    if (link.name === replyTo || link.remote.attach?.target?.address === replyTo) match = link;
    candidates.push(link);
  });
  return match ?? (candidates.length === 1 ? candidates[0] : undefined);
}

function stringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
