"""Configuration from environment variables, read when the app is created."""
from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

from survey_app.errors import UserError


def data_dir() -> Path:
    return Path(os.environ.get("SURVEY_DATA_DIR", "survey-data")).resolve()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the common postgres:// spellings and use psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    return f"sqlite:///{data_dir() / 'survey.db'}"


def secret_key() -> str:
    """SECRET_KEY, or a key generated once and kept in the data directory."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    return _key_file(data_dir() / "secret_key")


def address_key() -> str:
    """The key of stored address hashes, kept away from the database and its backups.

    SURVEY_ADDRESS_KEY, or a key generated once into SURVEY_ADDRESS_KEY_FILE (by default
    ~/.config/county-survey/address_key). Without the key a stored hash cannot be matched
    to an address by hashing all of IPv4, so the key may not sit in the data directory.
    """
    key = os.environ.get("SURVEY_ADDRESS_KEY")
    if key:
        return key
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    path = Path(os.environ.get("SURVEY_ADDRESS_KEY_FILE") or config_home / "county-survey" / "address_key").resolve()
    if path.is_relative_to(data_dir()):
        raise UserError(f"地址密钥文件 {path} 不能放在数据目录 {data_dir()} 中：它必须与数据库分开保存。")
    return _key_file(path)


def _key_file(path: Path) -> str:
    """The key in `path`, generated (readable by this user only) when the file does not exist."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)    # the key appears whole, or the one another worker wrote stays
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


LOCAL_BASE_URL = "http://127.0.0.1:8000"     # the fallback: `survey serve`'s default address


def base_url() -> str:
    return os.environ.get("SURVEY_BASE_URL", LOCAL_BASE_URL).rstrip("/")


def serve_base_url(bind: str) -> str:
    """SURVEY_BASE_URL, or the address actually served (a wildcard bind: this machine's LAN address)."""
    if os.environ.get("SURVEY_BASE_URL"):
        return base_url()
    host, _, port = bind.rpartition(":")
    if host in ("0.0.0.0", "::", "[::]", ""):
        host = lan_address() or "127.0.0.1"
    return f"http://{host}:{port}"


def lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent), or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()


def redis_url() -> str | None:
    """Redis for the counts per address shared by workers on several machines (optional)."""
    return os.environ.get("SURVEY_REDIS_URL") or None


def timezone() -> str:
    return os.environ.get("SURVEY_TIMEZONE", "Asia/Shanghai")


def proxy_hops() -> int:
    return int(os.environ.get("SURVEY_PROXY_HOPS", "0"))


def form_max_age_hours() -> float:
    """How long an opened questionnaire page may be submitted (a resident may leave it open a day)."""
    return float(os.environ.get("SURVEY_FORM_MAX_AGE_HOURS", "48"))


SERVE_THREADS = 64   # threads per `survey serve` process, started only when needed


def upload_seconds() -> float:
    """How long a request body may take to arrive (plus a second per 50 KB) before the upload is cut."""
    return float(os.environ.get("SURVEY_UPLOAD_SECONDS", "30"))
