// The command's usage text, shown by --help and (its first line) after a usage error.

export const usageLine = 'Usage: sqlinfer [OPTIONS] [DATABASE]\n       sqlinfer commit DIR [--merge FILE]';

export const helpText = `${usageLine}

A SQL shell for batch model inference on DuckDB. DATABASE is a DuckDB database file, created if
missing; without it the database lives in memory.

Options:
  -c, --command SQL            run SQL (one or more ;-separated statements), then exit; repeatable
  -f, --file FILE              run the SQL in FILE, then exit; repeatable, in order with -c
  -i, --interactive            start the interactive shell even when stdin is not a terminal
      --readonly               open DATABASE read-only: statements that would change it fail
      --format FORMAT          output format: table (default), csv, json, jsonl, markdown, line
      --model-threads N        threads for model work in total (default: all cores)
      --model-batch-size N     rows per batch sent to a model worker (default: 0, chosen:
                               64, or fewer so a batch holds at most 8 MiB of input)
      --resnet50-weights PATH  ResNet-50 Keras weights (.h5 file), or 'random' (default: Keras's cache)
      --shard I/N | auto       run each model statement as shard I (0-based) of N: it reads its share of
                               the input and writes DIR/part-IIIII-of-NNNNN (see 'sqlinfer commit --help');
                               auto takes I and N from the job array's environment
      --arrow-stream           read an Arrow IPC stream on stdin; run the last -c statement over each
                               record batch as the table batch; write the results as an Arrow IPC
                               stream on stdout, one batch per batch (the Spark model step); a row-wise
                               statement runs over groups of batches (SET arrow_group_rows, arrow_group_bytes)
  -h, --help                   show this help, then exit
  -v, --version                show the version, then exit

Without -c or -f, SQL piped on stdin runs, then the command exits; on a terminal the interactive shell
starts (.help lists its commands; history is kept in ~/.sqlinfer_history).

Output: json and jsonl write BIGINTs as numbers when they are safe integers (else strings), dates and
timestamps as ISO 8601 strings, and BLOBs as base64 strings; csv writes NULL as an empty field and
BLOBs as base64.

A statement that runs a model shows its progress on stderr when stderr is a terminal. Ctrl-C cancels
the running statement (a COPY leaves no file behind).

Exit status: 0 on success, 1 when a statement fails (the statements after it do not run), 2 on bad usage,
75 when it failed on a transient I/O error (a full disk, a network volume) worth a retry, 130 when Ctrl-C
cancelled a statement.
`;
