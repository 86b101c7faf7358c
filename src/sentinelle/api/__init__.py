"""HTTP API: the FastAPI app factory, one router and one schema module per domain, one error
handler. Every route declares the permission (and camera scope) it needs with `guarded()`."""
