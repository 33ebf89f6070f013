// Makes N unary calls to /test.Echo/METHOD (Unary unless given) through a gateway with grpc-go, one after another,
// and prints one line per outcome: "ok N" and "status CODE N" (CODE as grpc-go names it), then "done".
// Usage: go run grpc-go-calls.go HOST:PORT N [METHOD]
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// raw passes a message's bytes as they are: the test service's messages are text, not protobuf.
type raw struct{}

func (raw) Marshal(v interface{}) ([]byte, error)      { return *(v.(*[]byte)), nil }
func (raw) Unmarshal(data []byte, v interface{}) error { *(v.(*[]byte)) = append([]byte(nil), data...); return nil }
func (raw) Name() string                               { return "raw" }

func main() {
	target := os.Args[1]
	count, _ := strconv.Atoi(os.Args[2])
	method := "Unary"
	if len(os.Args) > 3 {
		method = os.Args[3]
	}
	conn, err := grpc.Dial(target, grpc.WithInsecure(), grpc.WithDefaultCallOptions(grpc.ForceCodec(raw{})))
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	defer conn.Close()
	outcomes := map[string]int{}
	for i := 0; i < count; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		in, out := []byte("x"), []byte(nil)
		err := conn.Invoke(ctx, "/test.Echo/"+method, &in, &out)
		cancel()
		if err == nil {
			outcomes["ok"]++
		} else {
			outcomes["status "+status.Code(err).String()]++
		}
	}
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s %d\n", k, outcomes[k])
	}
	fmt.Println("done")
}
