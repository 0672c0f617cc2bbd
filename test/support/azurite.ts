import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';

/** Azurite's public development account (documented by Microsoft; never a real secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite (the npm package, pinned to 3.35.0) on free ports, in memory. */
export interface Azurite {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** A connection string for all three services. */
  connectionString(ports?: { blob?: number; queue?: number; table?: number }): string;
  /** Stops the process (all data is lost: in-memory persistence). */
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not open port ${port} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts Azurite as a child process: `--inMemoryPersistence --skipApiVersionCheck --disableTelemetry`
 * (the queue SDK for Node 20 sends an API version newer than Azurite 3.35.0 knows).
 */
export async function startAzurite(): Promise<Azurite> {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const bin = join(import.meta.dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--silent',
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--blobPort',
      String(blobPort),
      '--queuePort',
      String(queuePort),
      '--tablePort',
      String(tablePort),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const deadline = Date.now() + 20_000;
  try {
    await Promise.all([
      waitForPort(blobPort, deadline),
      waitForPort(queuePort, deadline),
      waitForPort(tablePort, deadline),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; stderr: ${stderr.slice(0, 500)}`);
  }
  return {
    blobPort,
    queuePort,
    tablePort,
    connectionString(ports = {}) {
      return [
        'DefaultEndpointsProtocol=http',
        `AccountName=${AZURITE_ACCOUNT}`,
        `AccountKey=${AZURITE_KEY}`,
        `BlobEndpoint=http://127.0.0.1:${ports.blob ?? blobPort}/${AZURITE_ACCOUNT}`,
        `QueueEndpoint=http://127.0.0.1:${ports.queue ?? queuePort}/${AZURITE_ACCOUNT}`,
        `TableEndpoint=http://127.0.0.1:${ports.table ?? tablePort}/${AZURITE_ACCOUNT}`,
        '',
      ].join(';');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
