from celery.exceptions import CeleryError
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

# What handing a task to Redis can raise while it is down: kombu's wrapped connection
# errors, redis-py's own, bare socket errors, celery's, and the RuntimeError a Redis result
# backend raises once its reconnect retries run out. Whoever sends a task in a request
# catches these and falls back (a bulletin stays queued, an import runs in the request).
PUBLISH_ERRORS = (KombuError, RedisError, OSError, CeleryError, RuntimeError)


