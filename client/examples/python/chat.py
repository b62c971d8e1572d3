#!/usr/bin/python3
"""Calls seedgate from Python: one answer, a streamed answer, errors' details, checked tool calls.

    client/examples/python/generate.sh build/gen/python
    PYTHONPATH=build/gen/python /usr/bin/python3 client/examples/python/chat.py [TARGET] [--check]

TARGET defaults to $SEEDGATE_TARGET, else localhost:50051. With --check it
asserts what seedgate's bundled emulator answers (the tests run it this way)
and exits non-zero on any mismatch.
"""
import os
import sys
import time

import grpc
from google.protobuf import struct_pb2
from google.rpc import error_details_pb2, status_pb2
from seedgate.v1 import chat_pb2, chat_pb2_grpc


def user(text, **fields):
    return chat_pb2.CreateChatCompletionRequest(
        model="doubao-seed-2.0-lite",
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content_text=text)],
        **fields)


def error_details(err):
    """The google.rpc.Status in the error's grpc-status-details-bin trailer, unpacked."""
    details = {}
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for any_detail in status.details:
                for kind in (error_details_pb2.ErrorInfo, error_details_pb2.RetryInfo,
                             error_details_pb2.BadRequest, error_details_pb2.RequestInfo):
                    if any_detail.Is(kind.DESCRIPTOR):
                        detail = kind()
                        any_detail.Unpack(detail)
                        details[kind.__name__] = detail
    return details


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    target = args[0] if args else os.environ.get("SEEDGATE_TARGET", "localhost:50051")
    failures = []

    def expect(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    stub = chat_pb2_grpc.ChatServiceStub(grpc.insecure_channel(target))

    # 1. Unary: the whole answer at once.
    answer = stub.CreateChatCompletion(user("Please introduce yourself"), timeout=60)
    choice = answer.choices[0]
    print(f"unary: {choice.message.content!r} ({chat_pb2.FinishReason.Name(choice.finish_reason)})")
    if check:
        expect(choice.message.content != "" and choice.finish_reason == chat_pb2.FINISH_REASON_STOP,
               "unary: non-empty answer, finish_reason STOP")

    # 2. Streaming: print each token the moment it arrives.
    # (#fake:key=value words steer the bundled emulator; --check uses them, so it needs the
    # emulator: 8 tokens, 100 ms apart.)
    text = "Tell me a story" + (" #fake:tokens=8 #fake:delay_ms=100" if check else "")
    start, first_at, chunks, parts = time.monotonic(), None, 0, []
    print("stream: ", end="", flush=True)
    for chunk in stub.StreamChatCompletion(user(text), timeout=60):
        for c in chunk.choices:
            if c.delta.content:
                first_at = first_at or time.monotonic()
                chunks += 1
                parts.append(c.delta.content)
                print(c.delta.content, end="", flush=True)
    done_at = time.monotonic()
    print()
    if check:
        expect(chunks >= 3 and "".join(parts).strip() != "",
               f"stream: {chunks} content chunks, non-empty text")
        expect(first_at is not None and done_at - first_at > 0.3,
               f"stream: first chunk after {((first_at or done_at) - start):.2f}s, "
               f"end after {done_at - start:.2f}s")

    # 3. An upstream error: 429 with a retry delay, as google.rpc details.
    try:
        stub.CreateChatCompletion(user("hi #fake:error=429 #fake:retry_after=7"), timeout=60)
        expect(False, "rate limit: expected an error")
    except grpc.RpcError as err:
        d = error_details(err)
        info, retry = d.get("ErrorInfo"), d.get("RetryInfo")
        print(f"error: {err.code().name} {err.details()!r}")
        print(f"  ErrorInfo {info.reason if info else None} {dict(info.metadata) if info else ''}")
        print(f"  RetryInfo {retry.retry_delay.seconds if retry else None}s")
        if check:
            expect(err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, "rate limit: RESOURCE_EXHAUSTED")
            expect(info is not None and info.reason == "RATE_LIMIT_ERROR",
                   "rate limit: ErrorInfo.reason RATE_LIMIT_ERROR")
            expect(retry is not None and retry.retry_delay.seconds == 7, "rate limit: RetryInfo 7s")

    # 4. A request seedgate refuses itself: every violation is listed in BadRequest.
    try:
        stub.CreateChatCompletion(user("hi", temperature=5), timeout=60)
        expect(False, "validation: expected an error")
    except grpc.RpcError as err:
        bad = error_details(err).get("BadRequest")
        fields = [v.field for v in bad.field_violations] if bad else []
        print(f"error: {err.code().name} {fields}")
        if check:
            expect(err.code() == grpc.StatusCode.INVALID_ARGUMENT, "validation: INVALID_ARGUMENT")
            expect("temperature" in fields, "validation: BadRequest names temperature")

    # 5. Tool calls come with seedgate's check of their arguments against the declared
    # parameters schema: call the function only when schema_valid. (--check has the
    # emulator spoil the first call's arguments.)
    parameters = struct_pb2.Struct()
    parameters.update({"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": False})
    weather = chat_pb2.Tool(function=chat_pb2.FunctionDefinition(name="get_weather",
                                                                  parameters=parameters))
    text = "Weather in Paris?" + (" #fake:parallel=2 #fake:tool_args=schema_violation" if check else "")
    answer = stub.CreateChatCompletion(user(text, tools=[weather]), timeout=60)
    calls = answer.choices[0].message.tool_calls
    for call in calls:
        v = call.arguments_validation
        problems = [f"{x.pointer or '(root)'}: {x.message}" for x in v.violations]
        print(f"tool call {call.function.name}({call.function.arguments}): "
              f"valid_json={v.valid_json} schema_valid={v.schema_valid} {problems}")
    if check:
        expect(len(calls) == 2, "tool calls: two calls")
        expect(len(calls) == 2 and not calls[0].arguments_validation.schema_valid and
               any("city" in x.message for x in calls[0].arguments_validation.violations),
               "tool calls: the spoiled call is flagged, naming the missing city")
        expect(len(calls) == 2 and calls[1].arguments_validation.schema_valid,
               "tool calls: the other call is valid")

    # 6. Structured output with fail_on_schema_violation: a stream whose JSON breaks a strict
    # schema delivers its chunks, then ends with FAILED_PRECONDITION and the violations.
    if check:
        person = struct_pb2.Struct()
        person.update({"type": "object", "properties": {"name": {"type": "string"}},
                       "required": ["name"]})
        fmt = chat_pb2.ResponseFormat(
            type=chat_pb2.RESPONSE_FORMAT_TYPE_JSON_SCHEMA,
            json_schema=chat_pb2.JsonSchema(name="person", schema=person, strict=True))
        request = user("Who? #fake:content=schema_violation", response_format=fmt,
                       fail_on_schema_violation=True)
        last_validation = None
        try:
            for chunk in stub.StreamChatCompletion(request, timeout=60):
                for c in chunk.choices:
                    if c.HasField("content_validation"):
                        last_validation = c.content_validation
            expect(False, "strict stream: expected FAILED_PRECONDITION")
        except grpc.RpcError as err:
            d = error_details(err)
            bad, info = d.get("BadRequest"), d.get("ErrorInfo")
            print(f"error: {err.code().name} {err.details()!r}")
            expect(err.code() == grpc.StatusCode.FAILED_PRECONDITION,
                   "strict stream: FAILED_PRECONDITION")
            expect(info is not None and info.reason == "SCHEMA_VIOLATION",
                   "strict stream: ErrorInfo.reason SCHEMA_VIOLATION")
            expect(bad is not None and len(bad.field_violations) > 0,
                   "strict stream: BadRequest lists the violations")
        expect(last_validation is not None and not last_validation.schema_valid,
               "strict stream: the last chunk carried content_validation")

    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


if __name__ == "__main__":
    main()
