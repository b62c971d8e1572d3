// Calls seedgate from Go: one answer, a streamed answer, and an error's details.
//
//	client/examples/go/generate.sh build/gen/go    # stubs into build/gen/go/src/seedgate/gen/go/...
//	GO111MODULE=off GOPATH=$PWD/build/gen/go:/usr/share/gocode go run client/examples/go/main.go [TARGET] [--check]
//
// TARGET defaults to $SEEDGATE_TARGET, else localhost:50051. A secured seedgate
// wants a client token, taken from $SEEDGATE_TOKEN (sent as `authorization:
// Bearer <token>`), and TLS, on when $SEEDGATE_TLS_CA names the PEM CA file to
// trust. With --check it
// asserts what seedgate's bundled emulator answers (the tests run it this way)
// and exits non-zero on any mismatch.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	seedgatev1 "seedgate/gen/go/seedgate/v1"
)

var check bool
var failures int

func expect(ok bool, format string, args ...interface{}) {
	if !check {
		return
	}
	if ok {
		fmt.Printf("ok   "+format+"\n", args...)
	} else {
		fmt.Printf("FAIL "+format+"\n", args...)
		failures++
	}
}

func user(text string) *seedgatev1.CreateChatCompletionRequest {
	return &seedgatev1.CreateChatCompletionRequest{
		Model: "doubao-seed-2.0-lite",
		Messages: []*seedgatev1.Message{{
			Role:    seedgatev1.Role_ROLE_USER,
			Content: &seedgatev1.Message_ContentText{ContentText: text},
		}},
	}
}

func main() {
	target := os.Getenv("SEEDGATE_TARGET")
	if target == "" {
		target = "localhost:50051"
	}
	for _, a := range os.Args[1:] {
		if a == "--check" {
			check = true
		} else {
			target = a
		}
	}

	transport := grpc.WithInsecure()
	if ca := os.Getenv("SEEDGATE_TLS_CA"); ca != "" {
		tls, err := credentials.NewClientTLSFromFile(ca, "")
		if err != nil {
			log.Fatal(err)
		}
		transport = grpc.WithTransportCredentials(tls)
	}
	conn, err := grpc.Dial(target, transport)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := seedgatev1.NewChatServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The client token, on every call made with ctx (from the environment, so
	// that it is not on a command line).
	if token := os.Getenv("SEEDGATE_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}

	// 1. Unary: the whole answer at once.
	answer, err := client.CreateChatCompletion(ctx, user("Please introduce yourself"))
	if err != nil {
		log.Fatalf("unary: %v", err)
	}
	choice := answer.Choices[0]
	fmt.Printf("unary: %q (%v)\n", choice.Message.GetContent(), choice.FinishReason)
	expect(choice.Message.GetContent() != "" && choice.FinishReason == seedgatev1.FinishReason_FINISH_REASON_STOP,
		"unary: non-empty answer, finish_reason STOP")

	// 2. Streaming: print each token the moment it arrives.
	// (#fake:key=value words steer the bundled emulator; --check uses them, so it
	// needs the emulator: 8 tokens, 100 ms apart.)
	text := "Tell me a story"
	if check {
		text += " #fake:tokens=8 #fake:delay_ms=100"
	}
	start := time.Now()
	stream, err := client.StreamChatCompletion(ctx, user(text))
	if err != nil {
		log.Fatalf("stream: %v", err)
	}
	var firstAt time.Time
	var chunks int
	var got strings.Builder
	fmt.Print("stream: ")
	for {
		chunk, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatalf("stream: %v", err)
		}
		for _, c := range chunk.Choices {
			if content := c.Delta.GetContent(); content != "" {
				if firstAt.IsZero() {
					firstAt = time.Now()
				}
				chunks++
				got.WriteString(content)
				fmt.Print(content)
			}
		}
	}
	doneAt := time.Now()
	fmt.Println()
	expect(chunks >= 3 && strings.TrimSpace(got.String()) != "", "stream: %d content chunks, non-empty text", chunks)
	expect(!firstAt.IsZero() && doneAt.Sub(firstAt) > 300*time.Millisecond,
		"stream: first chunk after %v, end after %v", firstAt.Sub(start).Round(time.Millisecond),
		doneAt.Sub(start).Round(time.Millisecond))

	// 3. An upstream error: 429 with a retry delay, as google.rpc details.
	_, err = client.CreateChatCompletion(ctx, user("hi #fake:error=429 #fake:retry_after=7"))
	st := status.Convert(err)
	fmt.Printf("error: %v %q\n", st.Code(), st.Message())
	var info *errdetails.ErrorInfo
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			info = d
			fmt.Printf("  ErrorInfo %s %v\n", d.Reason, d.Metadata)
		case *errdetails.RetryInfo:
			retry = d
			fmt.Printf("  RetryInfo %ds\n", d.RetryDelay.GetSeconds())
		case *errdetails.RequestInfo:
			fmt.Printf("  RequestInfo %s\n", d.RequestId)
		}
	}
	expect(st.Code() == codes.ResourceExhausted, "rate limit: RESOURCE_EXHAUSTED")
	expect(info != nil && info.Reason == "RATE_LIMIT_ERROR", "rate limit: ErrorInfo.reason RATE_LIMIT_ERROR")
	expect(retry != nil && retry.RetryDelay.GetSeconds() == 7, "rate limit: RetryInfo 7s")

	// 4. A request seedgate refuses itself: every violation is listed in BadRequest.
	bad := user("hi")
	bad.Temperature = proto.Float64(5)
	_, err = client.CreateChatCompletion(ctx, bad)
	st = status.Convert(err)
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				fields = append(fields, v.Field)
			}
		}
	}
	fmt.Printf("error: %v %v\n", st.Code(), fields)
	expect(st.Code() == codes.InvalidArgument, "validation: INVALID_ARGUMENT")
	expect(strings.Contains(" "+strings.Join(fields, " ")+" ", " temperature "), "validation: BadRequest names temperature")

	if failures > 0 {
		log.Fatalf("%d check(s) failed", failures)
	}
}
