// llama.cpp (through node-llama-cpp) kept loaded, timing one test per request, for `bench --peer`.
// Usage: node peer-serve.mjs PEER_DIR MODEL.gguf THREADS PROMPT GEN
// PEER_DIR holds node_modules/node-llama-cpp (a folder where `npm install node-llama-cpp@3.22.1` ran).
// Protocol, one line each way: after the warm-up it prints "ready"; then "pp N" prefills the first N
// tokens of a fixed prompt into an empty cache and "tg N" decodes N tokens greedily from BOS in an
// empty cache, each answered with "pp RATE" or "tg RATE" in tokens per second; "quit" ends it.
// The tests are those of the peer's own `peer.mjs bench` (llama-bench's pp and tg).
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import readline from "node:readline";

const [peerDir, model, threadsArg, promptArg, genArg] = process.argv.slice(2);
const {getLlama, LlamaLogLevel} = await import(
    pathToFileURL(join(peerDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);
const threads = Number(threadsArg ?? 2);
const P = Number(promptArg ?? 512), G = Number(genArg ?? 128);
const now = () => Number(process.hrtime.bigint()) / 1e9;

const llama = await getLlama({
    gpu: false, build: "never", skipDownload: true, usePrebuiltBinaries: true, maxThreads: 0,
    logLevel: LlamaLogLevel.error, progressLogs: false
});
const loaded = await llama.loadModel({modelPath: model, gpuLayers: 0, useMmap: true});
const context = await loaded.createContext({
    contextSize: P + G + 64, batchSize: Math.max(512, P), sequences: 1, threads: {ideal: threads, min: threads}, flashAttention: "auto"
});
const seq = context.getSequence();
const bos = loaded.tokens.bos ?? 2048;
// The same seeded ordinary token ids as peer.mjs bench.
const prompt = [];
for (let i = 0, s = 42; i < P; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    prompt.push(s % 2048);
}

async function pp(n) {
    await seq.clearHistory();
    const t0 = now();
    await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, n));
    return n / (now() - t0);
}

async function tg(n) {
    await seq.clearHistory();
    let count = 0;
    const t0 = now();
    for await (const _ of seq.evaluate([bos], {temperature: 0, yieldEogToken: true})) {
        if (++count >= n) break;
    }
    return count / (now() - t0);
}

// Warm-up, untimed, as peer.mjs bench: one whole prompt (pages in every expert) and a few decode steps.
await pp(P);
await tg(16);
process.stdout.write("ready\n");
for await (const line of readline.createInterface({input: process.stdin})) {
    const [test, n] = line.trim().split(/\s+/);
    if (test === "quit") break;
    const rate = test === "pp" ? await pp(Number(n)) : test === "tg" ? await tg(Number(n)) : NaN;
    process.stdout.write(`${test} ${rate.toFixed(3)}\n`);
}
await context.dispose();
await loaded.dispose();
await llama.dispose();
process.exit(0);
