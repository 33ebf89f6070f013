// Makes one unary call to each /test.Echo/METHOD given through a gateway with grpc-js, one after another, and prints
// one line per call: "METHOD ok" or "METHOD CODE DETAILS" (CODE as grpc-js names it), then "done".
// Usage: node grpc-js-status.js HOST:PORT METHOD...
const grpc = require('@grpc/grpc-js');

const [target, ...methods] = process.argv.slice(2);
const identity = (b) => b;
const client = new grpc.Client(target, grpc.credentials.createInsecure());

function call(method) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(`/test.Echo/${method}`, identity, identity, Buffer.from('x'), new grpc.Metadata(),
      { deadline: Date.now() + 10000 },
      (error) => resolve(error ? `${method} ${grpc.status[error.code]} ${error.details}` : `${method} ok`));
  });
}

(async () => {
  for (const method of methods) {
    console.log(await call(method));
  }
  console.log('done');
  client.close();
})();
