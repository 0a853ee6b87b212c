// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node) for the Python training
// code, which has no onnxruntime package on this machine.
//
//   node run_onnx.mjs infer MODEL INPUT.npy OUTDIR [threads]
//       runs the whole batch in INPUT.npy (float32, C order) through the model and writes
//       every graph output to OUTDIR/<k>.bin (raw float32) plus OUTDIR/outputs.json
//       ([{name, dims, file}]).
//   node run_onnx.mjs bench MODEL H W [runs] [threads] [spin]
//       median / p90 latency of single-image runs (batch 1), timed around session.run.
//   node run_onnx.mjs optimized MODEL OUT.onnx
//       writes the graph as ORT optimises it (to check the QDQ -> QLinearConv fusion).
//
// ORT is found through ORT_NODE_MODULES (a node_modules folder holding onnxruntime-node),
// default training/out/ortnode/node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.ORT_NODE_MODULES || path.join(here, '..', 'out', 'ortnode', 'node_modules');
const require = createRequire(path.join(modules, 'x.js'));
const ort = require('onnxruntime-node');

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error('expected a C-order float32 .npy: ' + header);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const off = 10 + headerLen;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + buf.length));
  return { shape, data };
}

function options(threads, spin) {
  return {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
  };
}

const [cmd, model, ...rest] = process.argv.slice(2);
if (cmd === 'infer') {
  const [input, outDir, threads = '1'] = rest;
  const sess = await ort.InferenceSession.create(model, options(Number(threads), true));
  const { shape, data } = readNpy(input);
  const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const out = await sess.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = [];
  sess.outputNames.forEach((name, k) => {
    const t = out[name];
    fs.writeFileSync(path.join(outDir, `${k}.bin`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    manifest.push({ name, dims: t.dims.map(Number), file: `${k}.bin`, type: t.type });
  });
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(manifest));
} else if (cmd === 'bench') {
  const [h, w, runs = '2000', threads = '1', spin = '0'] = rest;
  const sess = await ort.InferenceSession.create(model, options(Number(threads), spin === '1'));
  const data = new Float32Array(Number(h) * Number(w));
  for (let i = 0; i < data.length; i++) data[i] = Math.random();
  const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', data, [1, 1, Number(h), Number(w)]) };
  for (let i = 0; i < 200; i++) await sess.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const t0 = process.hrtime.bigint();
    await sess.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const q = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(JSON.stringify({ median_ms: q(0.5), p10_ms: q(0.1), p90_ms: q(0.9), runs: times.length, threads: Number(threads), spin: spin === '1' }));
} else if (cmd === 'optimized') {
  const [outFile] = rest;
  const o = options(1, false);
  o.optimizedModelFilePath = outFile;
  await ort.InferenceSession.create(model, o);
} else {
  console.error('usage: run_onnx.mjs infer|bench|optimized ...');
  process.exit(2);
}
