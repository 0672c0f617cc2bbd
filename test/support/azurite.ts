import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
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

/** The line Azurite prints once a service listens, with the port the OS gave it. */
const LISTENING =
  /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/;

/**
 * Starts Azurite as a child process: `--inMemoryPersistence --skipApiVersionCheck --disableTelemetry`
 * (the queue SDK for Node 20 sends an API version newer than Azurite 3.35.0 knows). Each service
 * listens on port 0 and the port the OS gave it is read from Azurite's own "successfully listening"
 * line: choosing free ports first and passing them raced with the other test files starting their
 * own Azurite (EADDRINUSE), and a port found open could even belong to another file's Azurite.
 */
export async function startAzurite(): Promise<Azurite> {
  const bin = join(import.meta.dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');
  const args = [bin, '--silent', '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry'];
  for (const service of ['blob', 'queue', 'table']) {
    args.push(`--${service}Host`, '127.0.0.1', `--${service}Port`, '0');
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const ports = new Map<string, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('Azurite did not start listening within 20 s')),
        20_000,
      );
      let stdout = '';
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
        for (const line of stdout.split('\n')) {
          const match = LISTENING.exec(line);
          if (match) ports.set(match[1] as string, Number(match[2]));
        }
        if (ports.size === 3) {
          clearTimeout(timer);
          child.stdout?.removeAllListeners('data');
          child.stdout?.resume();
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited before listening (code ${code}, signal ${signal})`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; stderr: ${stderr.slice(0, 500)}`);
  }
  const blobPort = ports.get('Blob') as number;
  const queuePort = ports.get('Queue') as number;
  const tablePort = ports.get('Table') as number;
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
