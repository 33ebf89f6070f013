// Makes N unary calls to /test.Echo/Unary through a gateway with grpc-js, one after another, under a retry
// policy that retries RESOURCE_EXHAUSTED once after about 10 ms unless the server says how long to wait
// (grpc-retry-pushback-ms). Prints one line per call: "ok MS" or "status CODE MS" (MS: when it ended, in ms since
// the first call started), then "done".
// Usage: node grpc-js-retry.js HOST:PORT N
const grpc = require('@grpc/grpc-js');

const [target, count] = [process.argv[2], Number(process.argv[3])];
const identity = (b) => b;
const Echo = grpc.makeGenericClientConstructor({
  Unary: {
    path: '/test.Echo/Unary', requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  },
}, 'Echo');
const serviceConfig = {
  methodConfig: [{
    name: [{ service: 'test.Echo' }],
    retryPolicy: {
      maxAttempts: 2, initialBackoff: '0.01s', maxBackoff: '0.01s', backoffMultiplier: 1,
      retryableStatusCodes: ['RESOURCE_EXHAUSTED'],
    },
  }],
};
const client = new Echo(target, grpc.credentials.createInsecure(),
  { 'grpc.service_config': JSON.stringify(serviceConfig), 'grpc.enable_retries': 1 });

let started;

function call() {
  return new Promise((resolve) => {
    client.Unary(Buffer.from('x'), { deadline: Date.now() + 10000 }, (error) => {
      const ms = Date.now() - started;
      resolve(error ? `status ${grpc.status[error.code]} ${ms}` : `ok ${ms}`);
    });
  });
}

(async () => {
  started = Date.now();
  for (let i = 0; i < count; i++) {
    console.log(await call());
  }
  console.log('done');
  client.close();
})();
