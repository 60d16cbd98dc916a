"""A stand-in for bench/groups/python/tvp_worker.py that misbehaves on request (env FAKE_MODE), so
test_python.c can check that the C side of the protocol refuses every malformed reply."""
import os
import sys

mode = os.environ.get("FAKE_MODE", "good")
if "--probe" in sys.argv:
    print("version 9.9.9\ngil enabled\nfree_threaded_build False\nstart_methods fork\n"
          "build fake")
    sys.exit(0)
if mode == "setup-error":
    print("error set-up failed on purpose", flush=True)
    sys.exit(1)
print("note set-up note\ncreated posix-shm /tvp-py-fake-1\nready", flush=True)
for line in sys.stdin:
    words = line.split()
    if not words or words[0] == "quit":
        break
    n = int(words[1])
    if mode == "good":
        print("cpu 0\nnote a note\nok 1000 %d" % (n * 10), flush=True)
    elif mode == "count":
        print("ok 1000 %d %d" % (n, n), flush=True)
    elif mode == "negative":
        print("ok 1000 -5", flush=True)
    elif mode == "check":
        print("error lost message 7", flush=True)
    elif mode == "crash":
        sys.exit(3)
    elif mode == "garbage":
        print("ok nonsense", flush=True)
