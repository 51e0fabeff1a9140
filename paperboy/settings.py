"""Paperboy settings, read from environment variables.

Every variable is documented with its default in README.md ("Configuration"). SQLite in
``PAPERBOY_DATA_DIR`` out of the box; ``DATABASE_URL=postgres://…`` switches to PostgreSQL.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def _parse(name: str, default: str, kind: type):
    value = os.environ.get(name, default)
    try:
        return kind(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name}={value!r} is not a valid {kind.__name__} (default: {default})"
        ) from None


def envint(name: str, default: str) -> int:
    return _parse(name, default, int)


def envfloat(name: str, default: str) -> float:
    return _parse(name, default, float)


def envstr(name: str, default: str = "") -> str:
    """A string setting; secrets may also come from the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DATA_DIR = Path(os.environ.get("PAPERBOY_DATA_DIR", "paperboy-data")).resolve()

DEBUG = envbool("PAPERBOY_DEBUG", "false")
SECRET_KEY = envstr("PAPERBOY_SECRET_KEY")
if not SECRET_KEY:
    # A per-installation key kept in the data directory, so sessions survive restarts.
    _key_file = DATA_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        from django.utils.crypto import get_random_string

        SECRET_KEY = get_random_string(50)
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
            _key_file.chmod(0o600)
        except OSError:
            pass

SITE_URL = os.environ.get("PAPERBOY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("PAPERBOY_SITE_NAME", "Paperboy")
ALLOWED_HOSTS = os.environ.get("PAPERBOY_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # /api/docs from the bundled Swagger UI (without it: from a CDN, dead offline)
    "allauth",
    "allauth.account",
    "paperboy.lib",
    "paperboy.accounts",
    "paperboy.papers",
    "paperboy.feed",
    "paperboy.ingest",
    "paperboy.jobs",
    "paperboy.search",
    "paperboy.digests",
    "paperboy.api",
    "paperboy.comments",
    "paperboy.moderation",
    "paperboy.library",
    "paperboy.foryou",
    "paperboy.summaries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the visitor page cache, so cached answers carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in a path, query or form field: a 400 before any view (lib/requestguard).
    "paperboy.lib.requestguard.RefuseUnstorableMiddleware",
    # Visitors' cached pages are answered here, before sessions, auth and URL resolving.
    "paperboy.lib.pagecache.VisitorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the signed-in user read from the cache.
    "paperboy.accounts.signedin.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Content-Security-Policy (Django's own): scripts only from this site's files, so a link or text
# that slips past validation can never run script; no plugins, no framing, forms post here.
# Inline style attributes stay allowed: KaTeX positions math with them. Images may come from
# any https host (organization avatars imported from Hugging Face).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "paperboy.urls"
WSGI_APPLICATION = "paperboy.wsgi.application"

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
                "paperboy.lib.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "paperboy.sqlite3",
            # Keep each thread's connection (and its 64 MB page cache) across requests: opening
            # one per request re-ran the PRAGMAs and started every page from a cold cache.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # A web server and a task worker share the file: WAL lets readers go on while
                # one writer writes, IMMEDIATE takes the write lock up front (no upgrade deadlock).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache(url: str) -> dict:
    """``PAPERBOY_CACHE_URL``: where rate-limit counters and cached list pages live.

    The default, a directory in the data dir, is shared by every process on the machine
    (web workers, task worker); ``redis://host:6379/0`` shares it across machines;
    ``locmem://`` keeps it per process.
    """
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pb"}
    if url.startswith("file://") or not url:
        location = url.removeprefix("file://") or str(DATA_DIR / "cache")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"PAPERBOY_CACHE_URL={url!r}: use file:///path, redis://host:port/db or locmem://"
    )


CACHES = {"default": _cache(os.environ.get("PAPERBOY_CACHE_URL", ""))}

# --- Tasks ----------------------------------------------------------------------------------
# Two queues (README: "Process model and queues"): "mail" for the emails people wait for, run by
# a worker of its own; "default" for everything else (paperboy/jobs/workers.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Sessions are read from the cache (the data dir's file cache, or Redis) and written through
# to the database (Django's cached_db, lib/sessions.py): a signed-in reader's every page reads
# its session, and the cache read is ~10x cheaper than the ORM query (bench/README.md, issue
# 13). The database keeps them across a cache clear; sessions made before are read from it.
SESSION_ENGINE = "paperboy.lib.sessions"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "feed:daily"
# Its mails (verification, password reset) go out through the mail queue (lib/outbox.py).
ACCOUNT_ADAPTER = "paperboy.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("PAPERBOY_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("PAPERBOY_FROM_EMAIL", "Paperboy <paperboy@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _mailers(url: str) -> dict:
    """Map ``PAPERBOY_SMTP_URL`` onto Django's MAILERS; without it, print mail to the console.

    ``smtp://user:pass@host:port`` (plain, port 25), ``smtp://…?starttls=1`` (STARTTLS, port
    587), ``smtps://…`` (implicit TLS, port 465); user and password percent-encoded.
    """
    if not url:
        # Printed decoded (Django's console backend prints quoted-printable: broken links).
        return {"default": {"BACKEND": "paperboy.lib.mail.ConsoleEmailBackend"}}
    from urllib.parse import parse_qs, unquote, urlsplit

    from django.core.exceptions import ImproperlyConfigured

    shown = "PAPERBOY_SMTP_URL (smtp://user:pass@host:port, smtps://…, ?starttls=1)"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(f"{shown}: {parts.scheme or 'no'} scheme or no host")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{shown}: the port is not a number from 1 to 65535") from None
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    use_ssl = parts.scheme == "smtps"
    if use_ssl and starttls:
        raise ImproperlyConfigured(f"{shown}: smtps:// is already TLS; drop ?starttls=1")
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": port or (465 if use_ssl else 587 if starttls else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": use_ssl,
                "use_tls": starttls,
                "timeout": 30,
            },
        }
    }


MAILERS = _mailers(envstr("PAPERBOY_SMTP_URL"))

# --- HTTPS ----------------------------------------------------------------------------------
# An https PAPERBOY_SITE_URL makes the site https-only: secure cookies, HSTS and a redirect of
# plain-http requests. Behind a proxy that ends TLS, PAPERBOY_PROXY_SSL_HEADER names the header
# it sets on https requests (it must overwrite what clients send), so Django knows a request
# came over https. Paperboy's own server speaks plain http, so an https site URL means such a
# proxy: the header defaults to X-Forwarded-Proto then, and the redirect is on
# (`paperboy manage check --deploy` passes with the site URL alone). "none" says there is no
# such header: no redirect then (every request would look like plain http and redirecting
# would loop), and check --deploy says so.
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
_proxy_ssl_header = os.environ.get(
    "PAPERBOY_PROXY_SSL_HEADER", "X-Forwarded-Proto" if HTTPS else ""
).strip()
if _proxy_ssl_header.lower() == "none":
    _proxy_ssl_header = ""
if _proxy_ssl_header:
    _proxy_ssl_header = _proxy_ssl_header.upper().replace("-", "_").removeprefix("HTTP_")
    SECURE_PROXY_SSL_HEADER = (
        f"HTTP_{_proxy_ssl_header}",
        os.environ.get("PAPERBOY_PROXY_SSL_VALUE", "https"),
    )
SECURE_SSL_REDIRECT = envbool("PAPERBOY_SSL_REDIRECT", str(HTTPS and bool(_proxy_ssl_header)))
# Health checks from the container or load balancer come over plain http on the inside.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = envint("PAPERBOY_HSTS_SECONDS", "31536000" if HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("PAPERBOY_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("PAPERBOY_HSTS_PRELOAD", "false")
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload the domain is the operator's decision (PAPERBOY_HSTS_PRELOAD),
    # not a deployment fault for `check --deploy` to report.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The site's CSS/JS and vendored htmx + KaTeX live in the package, beside templates/.
STATICFILES_DIRS = [BASE_DIR / "static"]


def _storage(backend: str, options: str) -> dict:
    """Where uploads (organization avatars) are stored: ``PAPERBOY_STORAGE_BACKEND``, a Django
    storage class, with ``PAPERBOY_STORAGE_OPTIONS``, its keyword arguments as a JSON object.
    The default keeps them in MEDIA_ROOT on this host's disk."""
    import json

    from django.core.exceptions import ImproperlyConfigured

    try:
        parsed = json.loads(options or "{}")
    except ValueError as exc:
        raise ImproperlyConfigured(f"PAPERBOY_STORAGE_OPTIONS is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured("PAPERBOY_STORAGE_OPTIONS must be a JSON object")
    return {"BACKEND": backend or "django.core.files.storage.FileSystemStorage", "OPTIONS": parsed}


STORAGES = {
    "default": _storage(
        os.environ.get("PAPERBOY_STORAGE_BACKEND", ""), envstr("PAPERBOY_STORAGE_OPTIONS")
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads on a disk: a directory every web host mounts (NFS, a shared volume) when there are
# several; the default is the data dir's, which only one host sees.
MEDIA_ROOT = Path(os.environ.get("PAPERBOY_MEDIA_ROOT", "") or DATA_DIR / "media").resolve()
# Where uploads are linked from: /media/ is served by the site; a bucket's or CDN's URL otherwise.
MEDIA_URL = os.environ.get("PAPERBOY_MEDIA_URL", "/media/")

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("PAPERBOY_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

# Every line says when, how bad and where from: "2026-01-05 10:00:00,123 INFO paperboy.x: …",
# or one JSON object per line with PAPERBOY_LOG_FORMAT=json (for a log collector).
PAPERBOY_LOG_FORMAT = os.environ.get("PAPERBOY_LOG_FORMAT", "plain").strip().lower()
if PAPERBOY_LOG_FORMAT not in ("plain", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"PAPERBOY_LOG_FORMAT={PAPERBOY_LOG_FORMAT!r}: use plain (the default) or json"
    )
from paperboy.lib.logs import formatters as _log_formatters  # noqa: E402

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": _log_formatters(),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": PAPERBOY_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("PAPERBOY_LOG_LEVEL", "INFO")},
}

# --- Paperboy rules -------------------------------------------------------------------------
# Who may submit a paper to the daily list: "verified" (signed in with a verified email),
# "staff", or "nobody".
PAPERBOY_SUBMIT_WHO = os.environ.get("PAPERBOY_SUBMIT_WHO", "verified")
# A paper older than this (arXiv date) cannot be submitted to today's list.
PAPERBOY_SUBMIT_MAX_AGE_DAYS = envint("PAPERBOY_SUBMIT_MAX_AGE_DAYS", "30")
# How many papers one user may submit per day.
PAPERBOY_SUBMIT_DAILY_CAP = envint("PAPERBOY_SUBMIT_DAILY_CAP", "5")
PAPERBOY_PAGE_SIZE = envint("PAPERBOY_PAGE_SIZE", "50")
# How long visitors who are not signed in may see a list page's cards unchanged (0: no cache).
PAPERBOY_LIST_CACHE_SECONDS = envint("PAPERBOY_LIST_CACHE_SECONDS", "30")
# How long a web process may reuse a query's ranking (paperboy/search/memo.py; 0: never).
PAPERBOY_SEARCH_CACHE_SECONDS = envint("PAPERBOY_SEARCH_CACHE_SECONDS", "60")
# How many papers the trending list shows at most.
PAPERBOY_TRENDING_MAX = envint("PAPERBOY_TRENDING_MAX", "500")

# Trending weights: see paperboy/feed/ranking.py for the formula.
PAPERBOY_TRENDING = {
    "upvote": envfloat("PAPERBOY_TRENDING_UPVOTE_WEIGHT", "1.0"),
    "comment": envfloat("PAPERBOY_TRENDING_COMMENT_WEIGHT", "0.5"),
    "star": envfloat("PAPERBOY_TRENDING_STAR_WEIGHT", "0.1"),
    "decay_hours": envfloat("PAPERBOY_TRENDING_DECAY_HOURS", "36"),
}

# The arXiv API, used to fetch a submitted paper that is not in the catalog yet.
PAPERBOY_ARXIV_API_URL = os.environ.get(
    "PAPERBOY_ARXIV_API_URL", "https://export.arxiv.org/api/query"
)
# Sent to arXiv, Hugging Face and GitHub: who is asking, and where to find them.
PAPERBOY_USER_AGENT = os.environ.get(
    "PAPERBOY_USER_AGENT", f"Paperboy/0.1 (self-hosted daily papers; +{SITE_URL})"
)
# Ingest (paperboy/ingest): sources, categories and manners.
PAPERBOY_ARXIV_CATEGORIES = os.environ.get("PAPERBOY_ARXIV_CATEGORIES", "cs.CL cs.LG cs.AI cs.CV")
PAPERBOY_ARXIV_RSS_URL = os.environ.get("PAPERBOY_ARXIV_RSS_URL", "https://rss.arxiv.org/rss/")
PAPERBOY_ARXIV_MIN_INTERVAL = envfloat("PAPERBOY_ARXIV_MIN_INTERVAL", "3")
PAPERBOY_HF_API_URL = os.environ.get("PAPERBOY_HF_API_URL", "https://huggingface.co/api")
PAPERBOY_GITHUB_API_URL = os.environ.get("PAPERBOY_GITHUB_API_URL", "https://api.github.com")
PAPERBOY_GITHUB_TOKEN = envstr("PAPERBOY_GITHUB_TOKEN")
# Load the bundled demo corpus into an empty database on `paperboy up`.
PAPERBOY_DEMO = envbool("PAPERBOY_DEMO", "true")

# --- Search ---------------------------------------------------------------------------------
# Embeddings for search by meaning: "onnx" (the shipped all-MiniLM-L6-v2, offline), "sentence-
# transformers" (any model name in PAPERBOY_EMBEDDING_MODEL; pip install sentence-transformers),
# "openai" (an OpenAI-compatible /v1/embeddings at PAPERBOY_EMBEDDING_URL), or "none" (lexical
# search only). Changing the model re-embeds every paper (`paperboy index build`).
PAPERBOY_EMBEDDING = {
    "backend": os.environ.get("PAPERBOY_EMBEDDING_BACKEND", "onnx"),
    "model": os.environ.get("PAPERBOY_EMBEDDING_MODEL", ""),
    "url": os.environ.get("PAPERBOY_EMBEDDING_URL", ""),
    "api_key": envstr("PAPERBOY_EMBEDDING_API_KEY"),
    "max_tokens": envint("PAPERBOY_EMBEDDING_MAX_TOKENS", "256"),
}
# The word index at scale (paperboy/search/wordindex.py): "auto" reads a Tantivy copy of the
# titles and abstracts once the catalog has 20,000 papers (FTS5 / PostgreSQL full text below),
# "on" always, "off" never. Its directory is per host: DATA_DIR/search-words by default.
SEARCH_WORD_INDEX = os.environ.get("PAPERBOY_WORD_INDEX", "auto")
SEARCH_WORD_INDEX_DIR = os.environ.get("PAPERBOY_WORD_INDEX_DIR", "")

# --- Summaries (paperboy/summaries) -----------------------------------------------------------
# A one-line TL;DR and keyphrases for every paper: the local method (offline, the embedding model
# above) unless an OpenAI-compatible chat endpoint is configured (PAPERBOY_LLM_URL + _MODEL; a
# local llama.cpp / vLLM / Ollama server works), which then writes them within a daily budget,
# the local method standing in whenever it fails. Hugging Face's imported summaries are kept
# unless PAPERBOY_SUMMARIES_REPLACE_IMPORTED is on.
PAPERBOY_LLM = {
    "url": os.environ.get("PAPERBOY_LLM_URL", ""),
    "model": os.environ.get("PAPERBOY_LLM_MODEL", ""),
    "api_key": envstr("PAPERBOY_LLM_API_KEY"),
    "timeout": envfloat("PAPERBOY_LLM_TIMEOUT", "60"),
    "concurrency": envint("PAPERBOY_LLM_CONCURRENCY", "2"),
    "daily_budget": envint("PAPERBOY_LLM_DAILY_BUDGET", "2000"),
}
PAPERBOY_SUMMARIES_REPLACE_IMPORTED = envbool("PAPERBOY_SUMMARIES_REPLACE_IMPORTED", "0")

# --- For you --------------------------------------------------------------------------------
# Recommendations are chosen among the papers published in the last N days (foryou/engine.py).
PAPERBOY_FOR_YOU_WINDOW_DAYS = envint("PAPERBOY_FOR_YOU_WINDOW_DAYS", "14")

# --- Email digests --------------------------------------------------------------------------
# Papers in a digest's trending section, and in the "for you" section of members who have
# given For you a signal (0 turns "for you" off).
PAPERBOY_DIGEST_TOP_N = envint("PAPERBOY_DIGEST_TOP_N", "10")
PAPERBOY_DIGEST_FOR_YOU_N = envint("PAPERBOY_DIGEST_FOR_YOU_N", "5")
# Send a digest even when its period has no papers (it then says so).
PAPERBOY_DIGEST_SEND_EMPTY = envbool("PAPERBOY_DIGEST_SEND_EMPTY", "false")
# How long a confirmation link works; how long the "manage" link of a digest works.
PAPERBOY_DIGEST_CONFIRM_MAX_AGE_HOURS = envint("PAPERBOY_DIGEST_CONFIRM_MAX_AGE_HOURS", "72")
PAPERBOY_DIGEST_MANAGE_MAX_AGE_DAYS = envint("PAPERBOY_DIGEST_MANAGE_MAX_AGE_DAYS", "90")
# Temporary SMTP failures: tries per digest, first wait (doubling each time, at most 6 h).
PAPERBOY_DIGEST_MAX_ATTEMPTS = envint("PAPERBOY_DIGEST_MAX_ATTEMPTS", "5")
PAPERBOY_DIGEST_RETRY_SECONDS = envint("PAPERBOY_DIGEST_RETRY_SECONDS", "300")
# A digest claimed by a worker that died is taken over by another run after this long.
PAPERBOY_DIGEST_LEASE_SECONDS = envint("PAPERBOY_DIGEST_LEASE_SECONDS", "900")
# Digests a sending worker claims, composes and sends at a time.
PAPERBOY_DIGEST_BATCH_SIZE = envint("PAPERBOY_DIGEST_BATCH_SIZE", "100")
# Subscribe requests per client IP ("count/period", period s, m, h or d).
PAPERBOY_DIGEST_SUBSCRIBE_RATE = os.environ.get("PAPERBOY_DIGEST_SUBSCRIBE_RATE", "10/h")

# --- Community (comments, organizations, claims, limits) -----------------------------------
# How long after posting a comment its author may still edit it, and its maximum length.
PAPERBOY_COMMENT_EDIT_MINUTES = envint("PAPERBOY_COMMENT_EDIT_MINUTES", "15")
PAPERBOY_COMMENT_MAX_CHARS = envint("PAPERBOY_COMMENT_MAX_CHARS", "5000")
# Organization avatars: the largest upload accepted, in bytes (PNG, JPEG, GIF or WebP).
PAPERBOY_AVATAR_MAX_BYTES = envint("PAPERBOY_AVATAR_MAX_BYTES", "1048576")
# Authorship claims approved without an admin: comma-separated "domain" or "domain:org-slug"
# rules. A user with a verified email on the domain gets claims approved (only on papers of
# that organization when a slug is given). Example: "tau.ac.il:tau,deepmind.com:deepmind".
PAPERBOY_CLAIM_AUTO_DOMAINS = os.environ.get("PAPERBOY_CLAIM_AUTO_DOMAINS", "")
# Rate limits, "count/period" (s, m, h, d) per signed-in user and per IP address; "" disables.
PAPERBOY_RATE_LIMITS = {
    action: {
        "user": os.environ.get(f"PAPERBOY_RATE_{action.upper()}_USER", user_default),
        "ip": os.environ.get(f"PAPERBOY_RATE_{action.upper()}_IP", ip_default),
    }
    for action, user_default, ip_default in [
        ("comment", "10/m", "30/m"),
        ("submit", "10/h", "30/h"),
        ("claim", "20/h", "60/h"),
        ("report", "20/h", "60/h"),
    ]
}
for _rates in [*PAPERBOY_RATE_LIMITS.values(), {"ip": PAPERBOY_DIGEST_SUBSCRIBE_RATE}]:
    for _rate in _rates.values():
        if _rate and not re.fullmatch(r"\d+/\d*[smhd]", _rate.strip()):
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"{_rate!r} is not a rate like 10/m or 5/2h")
# Behind a proxy, the header it puts the client's address in (X-Forwarded-For, X-Real-IP):
# without it every visitor shares the proxy's address, and its rate limits.
PAPERBOY_PROXY_IP_HEADER = os.environ.get("PAPERBOY_PROXY_IP_HEADER", "").strip()
