"""The runtime layer: everything that talks to a model server, shared by eval, qa and what comes next.

- :mod:`.settings`  engine options declared once (dataclass fields carry their CLI option and check)
- :mod:`.engines`   server lifecycle (SGLang, ``transformers serve``, an existing OpenAI endpoint)
- :mod:`.auto_engine` ``--engine auto``
- :mod:`.preflight` is the endpoint up, and does it serve the model asked for?
- :mod:`.client`    the async OpenAI chat client and its retry policy
- :mod:`.pool`      one bounded worker pool
- :mod:`.progress`  progress bar / log lines
- :mod:`.journal`   the append-only JSONL journal (write, read back, the record that counts)
- :mod:`.rundir`    one run-directory type: lock, stale temps, refuse-or-resume, fingerprint

Stages import this package; they do not import each other (docs/architecture.md).
"""
