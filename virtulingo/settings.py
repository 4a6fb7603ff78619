"""VirtuLingo settings, all from the environment (12-factor).

With nothing configured this runs on a laptop: SQLite, the in-memory channel
layer, in-process world state and grammar checks in the server process. Every
variable is listed in README.md and .env.example.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from virtulingo.environment import environment_read

BASE_DIR = Path(__file__).resolve().parent.parent

ENV = environment_read()


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = ENV.DJANGO_DEBUG

SECRET_KEY = ENV.DJANGO_SECRET_KEY
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-deploy"

ALLOWED_HOSTS = _comma_list(ENV.DJANGO_ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = _comma_list(ENV.DJANGO_CSRF_TRUSTED_ORIGINS)

# Development mode lets the unmodified Unity client connect without a token and
# creates unknown players on first use; with DEBUG off it must be asked for.
VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS = (
    DEBUG if ENV.VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS is None else ENV.VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS
)

# Served over HTTPS (behind a TLS-terminating load balancer that sets X-Forwarded-Proto):
# redirect plain HTTP (not /health, which probes call directly), secure cookies, HSTS.
VIRTULINGO_HTTPS = ENV.VIRTULINGO_HTTPS
if VIRTULINGO_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = ENV.VIRTULINGO_HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    # Pinning every subdomain, or submitting the domain to the browsers' preload list, commits
    # hosts this server does not own and cannot be undone quickly: the operator's decision.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

INSTALLED_APPS = [
    "daphne",  # first, so that runserver serves ASGI
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "npcs",
    "players",
    "conversations",
    "grammar",
    "web",  # the learner, teacher and author pages: above the apps whose data they show
    "virtulingo",  # the project package itself, on top: seed_demo seeds every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in production too (Daphne serves no files itself): collected by `make setup`.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "virtulingo.urls"
ASGI_APPLICATION = "virtulingo.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASE_URL = ENV.DATABASE_URL
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=ENV.DATABASE_CONN_MAX_AGE)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Sockets are long-lived async consumers: check a pooled connection before use.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves sockets, REST turns and the in-process grammar thread at once.
    # A transaction takes the write lock when it begins (no failed read-to-write upgrade), a
    # writer waits for the lock instead of failing, and WAL lets readers go on beside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = ENV.REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # A read timeout above channels-redis's 5 s blocking pop, so an idle socket's wait is
                        # not an error.
                        "socket_timeout": 30,
                        # One connection per channel-layer call in flight: a few hundred sockets closing at
                        # once each discard their group (redis-py's default cap of 100 raised
                        # MaxConnectionsError). A cap, not connections opened in advance.
                        "max_connections": ENV.VIRTULINGO_CHANNEL_LAYER_MAX_CONNECTIONS,
                        # A pooled connection that died with a Redis restart is checked and replaced.
                        "health_check_interval": 15,
                        "retry_on_timeout": True,
                    }
                ],
                "prefix": "virtulingo",
                # Messages waiting for a socket expire after this; a socket's group membership
                # (a player's corrections) after group_expiry.
                "expiry": 60,
                "group_expiry": 86400,
                "capacity": ENV.VIRTULINGO_CHANNEL_LAYER_CAPACITY,
            },
        }
    }
else:
    # Single development process only: sockets in other processes cannot be reached.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# World state (scene, held object, nearby NPCs, history): Redis when configured,
# otherwise kept in the server process.
WORLD_STATE_TTL_SECONDS = ENV.VIRTULINGO_WORLD_STATE_TTL
HISTORY_EXCHANGES = ENV.VIRTULINGO_HISTORY_EXCHANGES
# Hands-free endpoint: the silence (audio time) that ends a learner's turn. A1-A2 learners
# pause mid-sentence to find words, so they get longer before the NPC answers.
END_OF_TURN_SILENCE_MS = ENV.VIRTULINGO_END_OF_TURN_SILENCE_MS
BEGINNER_END_OF_TURN_SILENCE_MS = ENV.VIRTULINGO_BEGINNER_END_OF_TURN_SILENCE_MS
# Begin the reply at the learner's pause, before the turn is sure to end (dropped if they go on).
SPECULATIVE_REPLIES = ENV.VIRTULINGO_SPECULATIVE_REPLIES
# What one socket may send (each over-limit case has its own error code, docs/PROTOCOL.md).
WS_AUDIO_FRAME_MAX_BYTES = ENV.VIRTULINGO_WS_AUDIO_FRAME_MAX_BYTES
WS_TEXT_FRAME_MAX_BYTES = ENV.VIRTULINGO_WS_TEXT_FRAME_MAX_BYTES
TYPED_TEXT_MAX_CHARS = ENV.VIRTULINGO_TYPED_TEXT_MAX_CHARS
UTTERANCE_MAX_SECONDS = ENV.VIRTULINGO_UTTERANCE_MAX_SECONDS
WS_MESSAGES_PER_10S = ENV.VIRTULINGO_WS_MESSAGES_PER_10S
WS_ERRORS_PER_10S = ENV.VIRTULINGO_WS_ERRORS_PER_10S
SOCKETS_PER_PLAYER = ENV.VIRTULINGO_SOCKETS_PER_PLAYER
# Bytes of replies a socket may leave unread before the server drops it (daphne_websocket.py).
WS_MAX_BUFFERED_BYTES = ENV.VIRTULINGO_WS_MAX_BUFFERED_BYTES
# A stopping server (SIGTERM) tells each socket (`server_shutdown`, close 4503) and gives the
# running replies, the learners' last words and the requests in flight this long in all
# (virtulingo/server_lifecycle.py); keep it under the orchestrator's kill timeout.
SHUTDOWN_GRACE_SECONDS = ENV.VIRTULINGO_SHUTDOWN_GRACE_SECONDS

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL if ENV.CELERY_BROKER_URL is None else ENV.CELERY_BROKER_URL
# No broker: grammar checks run in the server process in the background.
CELERY_ENABLED = bool(CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A check whose worker died is redelivered once its message has been unacknowledged for the
# visibility timeout, by a sweep every BROKER_RESTORE_INTERVAL_SECONDS: within a minute with the
# defaults (45 + 5 s). The timeout must stay above the hard time limit, the longest a live worker
# holds a started check (prefetch of one: nothing waits unstarted); soft below hard, so a slow
# check is recorded as failed before it is killed, and above the engines' own timeout.
# Trade-off (docs/RELIABILITY.md): a retry waiting out its countdown (2-16 s) on a live worker
# and then running close to the hard limit can be delivered a second time; a check is
# idempotent (stored and pushed once), so that costs one repeated check, never a duplicate.
CELERY_TASK_TIME_LIMIT = ENV.VIRTULINGO_GRAMMAR_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = (
    CELERY_TASK_TIME_LIMIT - 5 if CELERY_TASK_TIME_LIMIT > 10 else max(1, CELERY_TASK_TIME_LIMIT * 3 // 4)
)
BROKER_RESTORE_INTERVAL_SECONDS = 5
if ENV.VIRTULINGO_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "VIRTULINGO_BROKER_VISIBILITY_TIMEOUT must be above VIRTULINGO_GRAMMAR_TASK_TIME_LIMIT "
        f"({ENV.VIRTULINGO_BROKER_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT}): "
        "a running check would be redelivered"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": ENV.VIRTULINGO_BROKER_VISIBILITY_TIMEOUT,
    # kombu sweeps for expired unacknowledged messages every interval x throttle seconds (100 s by default).
    "unacked_restore_interval": BROKER_RESTORE_INTERVAL_SECONDS,
    "unacked_restore_throttle": 1,
}
# Checks of recorded turns that could not be queued (broker down) stay pending in the database;
# beat queues those older than this every this many seconds (`celery -A virtulingo beat`, or a
# worker with -B), and each worker does at start. Long enough that a check in a normal queue has
# started by then (a second delivery is harmless: checks are idempotent). Without a broker the
# server process does the same with the checks a stopped or crashed server left pending
# (server_lifecycle.py).
VIRTULINGO_GRAMMAR_REQUEUE_AFTER_SECONDS = ENV.VIRTULINGO_GRAMMAR_REQUEUE_AFTER
CELERY_BEAT_SCHEDULE = {
    "requeue-pending-grammar-checks": {
        "task": "grammar.tasks.grammar_checks_requeue_task",
        "schedule": float(VIRTULINGO_GRAMMAR_REQUEUE_AFTER_SECONDS),
    }
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True

# --- Engines ----------------------------------------------------------------
# Read by engines/ (and the engine timeout by the conversation room); documented in docs/ENGINES.md.

VIRTULINGO_MODEL_CACHE = ENV.VIRTULINGO_MODEL_CACHE.expanduser()
# CPU-bound inference runs in the engines' own bounded executor, never on the event loop.
VIRTULINGO_ENGINE_WORKERS = ENV.VIRTULINGO_ENGINE_WORKERS
VIRTULINGO_ENGINE_THREADS = ENV.VIRTULINGO_ENGINE_THREADS
# Also bounds, in the conversation room, the wait for each next piece of a reply's text.
VIRTULINGO_ENGINE_TIMEOUT_SECONDS = ENV.VIRTULINGO_ENGINE_TIMEOUT
# Load and warm every configured model when the ASGI server starts (never in manage.py commands).
VIRTULINGO_WARM_UP_ENGINES = ENV.VIRTULINGO_WARM_UP_ENGINES

VIRTULINGO_STT_MODEL = ENV.VIRTULINGO_STT_MODEL  # empty: embedded Whisper base
VIRTULINGO_STT_DEVICE = ENV.VIRTULINGO_STT_DEVICE
VIRTULINGO_STT_COMPUTE_TYPE = ENV.VIRTULINGO_STT_COMPUTE_TYPE
VIRTULINGO_STT_BEAM_SIZE = ENV.VIRTULINGO_STT_BEAM_SIZE
VIRTULINGO_STT_SHORT_WINDOW = ENV.VIRTULINGO_STT_SHORT_WINDOW

VIRTULINGO_LLM = ENV.VIRTULINGO_LLM
VIRTULINGO_LLM_MODEL = ENV.VIRTULINGO_LLM_MODEL  # a packaged model's name or a GGUF path
VIRTULINGO_LLM_CONTEXT = ENV.VIRTULINGO_LLM_CONTEXT
VIRTULINGO_LLM_THREADS = ENV.VIRTULINGO_LLM_THREADS  # llama.cpp threads
# Server engines (Gemini, OpenAI-compatible): attempts on HTTP 429/503, before the first token only.
VIRTULINGO_LLM_RETRIES = ENV.VIRTULINGO_LLM_RETRIES
GOOGLE_API_KEY = ENV.GOOGLE_API_KEY
GEMINI_MODEL = ENV.GEMINI_MODEL
GEMINI_BASE_URL = ENV.GEMINI_BASE_URL  # empty: Google's endpoint; set for a proxy
OPENAI_BASE_URL = ENV.OPENAI_BASE_URL
OPENAI_API_KEY = ENV.OPENAI_API_KEY
OPENAI_MODEL = ENV.OPENAI_MODEL

VIRTULINGO_TTS = ENV.VIRTULINGO_TTS
VIRTULINGO_PIPER_VOICE = ENV.VIRTULINGO_PIPER_VOICE  # empty: embedded en_US voice
VIRTULINGO_ESPEAK_RATE = ENV.VIRTULINGO_ESPEAK_RATE  # words per minute
VIRTULINGO_TTS_MAX_CHARS = ENV.VIRTULINGO_TTS_MAX_CHARS  # longer text is refused
COQUI_MODEL = ENV.COQUI_MODEL

# Per language: "en=harper,*=llm" means Harper for English, the language model elsewhere.
VIRTULINGO_GRAMMAR = ENV.VIRTULINGO_GRAMMAR
# The directory holding the grammalecte package when this Python cannot import it (Debian's).
VIRTULINGO_GRAMMALECTE_PATH = ENV.VIRTULINGO_GRAMMALECTE_PATH
LANGUAGETOOL_URL = ENV.LANGUAGETOOL_URL

# Review exercises: "llm" (the language model writes them, translation included), "rules" (built
# from the stored corrections), "auto" (llm unless the language model is the embedded SmolLM2-135M).
VIRTULINGO_REVIEW_EXERCISES = ENV.VIRTULINGO_REVIEW_EXERCISES.lower()
if VIRTULINGO_REVIEW_EXERCISES not in {"auto", "llm", "rules"}:
    raise ImproperlyConfigured(
        f"VIRTULINGO_REVIEW_EXERCISES must be auto, llm or rules, not {VIRTULINGO_REVIEW_EXERCISES!r}"
    )

# --- REST -------------------------------------------------------------------
# A spoken turn over REST is a base64 WAV of up to 30 s at 48 kHz stereo, 7.7 MB
# (conversations/serializers.py SPOKEN_TURN_MAX_BASE64_CHARS); Django's 2.5 MB default would
# refuse it with a bare HTML 400 before the serializer could say what is wrong.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "players.authentication.PlayerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "virtulingo.api_errors.exception_handler",
    # JSON with a size and a depth limit (bad_json, request_too_large); forms for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "virtulingo.api_parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
VIRTULINGO_API_MAX_BODY_BYTES = ENV.VIRTULINGO_API_MAX_BODY_BYTES
VIRTULINGO_API_MAX_JSON_DEPTH = ENV.VIRTULINGO_API_MAX_JSON_DEPTH
# The longest spoken REST turn (48 kHz stereo WAV in base64, in its JSON) must fit in a body.
_SPOKEN_TURN_BODY_BYTES = int(UTTERANCE_MAX_SECONDS * 48_000 * 2 * 2 * 4 / 3) + 64 * 1024
if VIRTULINGO_API_MAX_BODY_BYTES < _SPOKEN_TURN_BODY_BYTES:
    raise ImproperlyConfigured(
        f"VIRTULINGO_API_MAX_BODY_BYTES ({VIRTULINGO_API_MAX_BODY_BYTES}) is too small for a spoken turn of "
        f"VIRTULINGO_UTTERANCE_MAX_SECONDS ({UTTERANCE_MAX_SECONDS:g} s): it needs {_SPOKEN_TURN_BODY_BYTES} bytes"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "VirtuLingo API",
    "DESCRIPTION": "REST side of the VirtuLingo spoken-language practice backend (see docs/PROTOCOL.md).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Auth, i18n, static -----------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Learners and teachers sign in with the site's own form; staff may use it or the admin's.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Gzip copies, no hashed names: pages render without a manifest, so tests and a server
    # started before `collectstatic` still work.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # No secret in a logged URL (?token=...): see virtulingo/log_redaction.py.
    "filters": {"redact_secrets": {"()": "virtulingo.log_redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": ENV.LOG_LEVEL.upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
