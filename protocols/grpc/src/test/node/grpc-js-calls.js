// Makes N unary calls to /test.Echo/METHOD (Unary unless given) through a gateway with grpc-js, one after another, and prints
// one line per outcome: "ok N" and "status CODE N" (CODE as grpc-js names it), then "done".
// Usage: node grpc-js-calls.js HOST:PORT N [METHOD]
const grpc = require('@grpc/grpc-js');

const [target, count, method] = [process.argv[2], Number(process.argv[3]), process.argv[4] || 'Unary'];
const identity = (b) => b;
const Echo = grpc.makeGenericClientConstructor({
  Unary: {
    path: `/test.Echo/${method}`, requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  },
}, 'Echo');
const client = new Echo(target, grpc.credentials.createInsecure());

function call() {
  return new Promise((resolve) => {
    client.Unary(Buffer.from('x'), { deadline: Date.now() + 10000 }, (error) => resolve(error ? grpc.status[error.code] : 'ok'));
  });
}

(async () => {
  const outcomes = {};
  for (let i = 0; i < count; i++) {
    const outcome = await call();
    outcomes[outcome] = (outcomes[outcome] || 0) + 1;
  }
  for (const [outcome, n] of Object.entries(outcomes)) {
    console.log(outcome === 'ok' ? `ok ${n}` : `status ${outcome} ${n}`);
  }
  console.log('done');
  client.close();
})();
