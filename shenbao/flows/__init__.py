"""Orchestration around the plain stages: Prefect flows, the watched folder, the results store.

  flows.py    review_packet / review_batch / watch_inbox flows (imports Prefect; configure first)
  packets.py  one packet's run, the switch between flows and the plain chain (no Prefect import)
  work.py     task bodies that run on workers (threads or Dask processes)
  watcher.py  `shenbao watch`: settle, completeness, exactly-once via ledger.py, archiving
  store.py    SQLAlchemy results store (SQLite default, PostgreSQL by URL)
  hashing.py  content hashes and the packet cache key
  settings.py environment settings and Prefect defaults (embedded server under var/prefect/)
  serve.py    `python -m shenbao.flows.serve INBOX OUT`: the watch flow as a served deployment

Importing this package imports none of them (nor Prefect).
"""
