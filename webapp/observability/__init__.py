"""Operations: structured logs with the job id, Prometheus metrics, and the worker command."""
