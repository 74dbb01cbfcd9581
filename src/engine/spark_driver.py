# The Spark driver of `kpic eval --engine spark`, embedded in the kpic binary and run by
# `engine::spark::Session` with a Python that has PySpark. It starts ONE Spark session
# (the JVM start is paid once per run) and answers requests, one JSON object per line:
#
#   {"load": [{"view", "schema", "path", "multiline"}]}  -> {"ok": true}
#       each CSV file (written by kpic from a dataset it validated) as a temporary view
#       with the schema's column types
#   {"query": SQL}  -> {"columns": [...], "rows": [[text or null, ...], ...]}
#       every value as text: a DECIMAL keeps every digit, a DOUBLE its shortest repr
#   anything that fails -> {"error": "ExceptionName: message"}
#
# argv[1] is a JSON object: {"master", "conf": {key: value}, "listen": path or null}.
# With "listen", the driver serves connections on that Unix socket one after another
# (each starts with no temporary views) until its standard input ends: one session for
# many kpic runs (the test suite's batch mode). Otherwise it reads requests from
# standard input until it ends.
import json
import os
import socket
import sys

# Replies go to the original standard output; anything else printed there (PySpark,
# the JVM that inherits file descriptor 1) goes to standard error instead.
replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr

settings = json.loads(sys.argv[1])
master = settings["master"]


def reply(out, obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()


try:
    import pyspark
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("kpic")
    # Spark Connect (`sc://host:port`) where this PySpark supports it.
    builder = builder.remote(master) if master.startswith("sc://") else builder.master(master)
    for key, value in settings["conf"].items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        spark.sparkContext.setLogLevel("ERROR")
    except Exception:
        pass  # a Spark Connect session has no SparkContext
except Exception as e:  # no Java, a master that cannot be reached, ...
    reply(replies, {"error": f"{type(e).__name__}: {e}"})
    sys.exit(1)


def text(x):
    if x is None:
        return None
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return repr(x)
    return str(x)


def handle(request):
    if "load" in request:
        for t in request["load"]:
            df = (
                spark.read.schema(t["schema"])
                .option("header", True)
                .option("mode", "FAILFAST")  # kpic validated every cell; never NULL silently
                .option("nullValue", "")  # an empty cell is missing, for every type
                .option("escape", '"')  # RFC 4180: "" is a quote inside a quoted cell
                .option("multiLine", t["multiline"])
                .option("dateFormat", "yyyy-MM-dd")
                .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
                .csv(t["path"])
            )
            # Read once, on first use, for the several queries of a run.
            df.cache().createOrReplaceTempView(t["view"])
        return {"ok": True}
    if "query" in request:
        df = spark.sql(request["query"])
        rows = df.collect()
        return {"columns": df.columns, "rows": [[text(v) for v in r] for r in rows]}
    return {"error": f"unknown request {sorted(request)}"}


def serve(lines, out):
    reply(out, {"ready": pyspark.__version__})
    for line in lines:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as e:
            answer = {"error": f"{type(e).__name__}: {e}"}
        reply(out, answer)


if settings.get("listen"):
    import shutil
    import threading

    def watch():
        # The process that started this driver holds its standard input: when that
        # ends (the process ended, however), so does the driver (and the JVM with it).
        sys.stdin.read()
        shutil.rmtree(os.getcwd(), ignore_errors=True)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(settings["listen"])
    server.listen(1)
    reply(replies, {"ready": pyspark.__version__})
    while True:
        conn, _ = server.accept()
        for t in spark.catalog.listTables():
            if t.isTemporary:
                spark.catalog.dropTempView(t.name)
        with conn, conn.makefile("r", encoding="utf-8") as r, conn.makefile(
            "w", encoding="utf-8"
        ) as w:
            try:
                serve(r, w)
            except OSError:
                pass  # the client went away
else:
    serve(sys.stdin, replies)
    spark.stop()
