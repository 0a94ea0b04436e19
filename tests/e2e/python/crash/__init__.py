"""The crash test's scenarios and their shared machinery; test_crash.py (the
script ctest runs as e2e_crash) drives them against one server it kills.

    harness.py    shared state (Run), clients rebuilt after restarts, Checker,
                  crash_and_restart, verify_queue, sleep_watching, log
    standard.py   a standard queue's producers and consumers    checks (1)-(4), (6), (7)
    fifo.py       a FIFO queue beside it                        checks (F1)-(F3)
    move_task.py  dead letters and a message move task         check (8)
    sns.py        SNS publishes and http retries across kills   checks (S1)-(S3); `test_crash.py sns`
"""
