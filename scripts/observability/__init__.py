"""The observability check run by scripts/check-observability.py (standard library only).

Modules:
  report     failures and notes collected along the way
  tools      packages, commands, free ports and child processes
  dashboards static checks of dashboards/*.json and the PromQL they hold
  souk       starts `souk serve --demo` and finds where /metrics answers
  prom       a real Prometheus scraping souk, and queries against it
  client     a tiny JSON-over-HTTP client
  ws         a minimal WebSocket client (handshake, text frames)
  workload   a short mixed workload that exercises every metric
"""
