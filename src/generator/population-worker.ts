/**
 * Body of a population worker thread (started through `typescriptWorker`): simulates the
 * chunks of members the writer asks for and sends each chunk's bytes back, transferring them.
 * Members are independent (each has its own seeded stream), so which thread simulates a chunk
 * does not change its bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PopulationGenerator, type PopulationOptions } from './population.ts';
import { RowBuffers } from './rows.ts';
import type { ChunkReply, ChunkRequest } from './population-files.ts';

const port = parentPort;
if (!port) throw new Error('population-worker.ts must run in a worker thread');
const generator = new PopulationGenerator((workerData as { options: PopulationOptions }).options);
const buffers = new RowBuffers();
port.on('message', (request: ChunkRequest) => {
  const tallies = generator.simulateChunk(request.from, request.to, buffers);
  const output = buffers.takeChunk();
  const reply: ChunkReply = { index: request.index, output, tallies };
  port.postMessage(reply, output.files.map((f) => f.buffer as ArrayBuffer));
});
