// ONNX Runtime (onnxruntime-node) worker for the detector's Python tools.
//
//   node ort_worker.js MODEL.onnx [--threads N] [--extra-outputs]
//
// Talks over stdin/stdout with length-prefixed messages, so that Python can
// run the exact runtime the product uses (ONNX Runtime 1.30, CPU EP).
// Request : u32le n, JSON {cmd:"run"|"bench"|"quit", inputs:[{name,dims}], outputs?:[names], n?, warmup?}
//           then the float32 data of each input, in order.
// Response: u32le n, JSON {outputs:[{name,dims}]} or {times_ms:[...]} or {error}
//           then the float32 data of each output, in order.
// --extra-outputs: every intermediate float tensor is made a graph output
// (used for calibration) -- the model is rewritten by the Python side for that,
// so here it only means "allow any output name".
'use strict';
const path = require('path');
const ortDir = process.env.ORTNODE_DIR;
const ort = require(ortDir ? path.join(ortDir, 'node_modules', 'onnxruntime-node') : 'onnxruntime-node');

const args = process.argv.slice(2);
const model = args[0];
let threads = 1;
for (let i = 1; i < args.length; i++) if (args[i] === '--threads') threads = parseInt(args[++i], 10);

function send(header, buffers) {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length, 0);
  process.stdout.write(Buffer.concat([len, h, ...(buffers || [])]));
}

async function main() {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  let buf = Buffer.alloc(0);
  let busy = false;
  const queue = [];

  async function handle(req, payload) {
    if (req.cmd === 'quit') process.exit(0);
    const feeds = {};
    let off = 0;
    for (const inp of req.inputs) {
      const n = inp.dims.reduce((a, b) => a * b, 1);
      const arr = new Float32Array(n);
      Buffer.from(payload.buffer, payload.byteOffset + off, n * 4).copy(Buffer.from(arr.buffer));
      off += n * 4;
      feeds[inp.name] = new ort.Tensor('float32', arr, inp.dims);
    }
    const fetches = req.outputs || session.outputNames;
    if (req.cmd === 'bench') {
      for (let i = 0; i < (req.warmup || 5); i++) await session.run(feeds, fetches);
      const times = [];
      for (let i = 0; i < (req.n || 50); i++) {
        const t0 = process.hrtime.bigint();
        await session.run(feeds, fetches);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      send({ times_ms: times });
      return;
    }
    const res = await session.run(feeds, fetches);
    const outs = [];
    const bufs = [];
    for (const name of fetches) {
      const t = res[name];
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
      outs.push({ name, dims: t.dims });
      bufs.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
    send({ outputs: outs }, bufs);
  }

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        if (buf.length < 4) break;
        const hl = buf.readUInt32LE(0);
        if (buf.length < 4 + hl) break;
        const req = JSON.parse(buf.slice(4, 4 + hl).toString('utf8'));
        const need = (req.inputs || []).reduce((s, i) => s + 4 * i.dims.reduce((a, b) => a * b, 1), 0);
        if (buf.length < 4 + hl + need) break;
        const payload = Buffer.from(buf.slice(4 + hl, 4 + hl + need));
        buf = buf.slice(4 + hl + need);
        try {
          await handle(req, payload);
        } catch (e) {
          send({ error: String(e && e.stack || e) });
        }
      }
    } finally {
      busy = false;
    }
  }

  process.stdin.on('data', (chunk) => { buf = Buffer.concat([buf, chunk]); pump(); });
  process.stdin.on('end', () => process.exit(0));
  send({ ready: true, inputNames: session.inputNames, outputNames: session.outputNames });
}

main().catch((e) => { send({ error: String(e && e.stack || e) }); process.exit(1); });
