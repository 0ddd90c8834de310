"""`manage.py backup` / `manage.py restore`: one archive of the database and the stored files; the round trip
loses nothing, on SQLite and on PostgreSQL. The commands run as an operator runs them: `manage.py` in a
subprocess, against a file database (or throwaway PostgreSQL databases) and a media folder of their own."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from guanjia.ops import backup

ROOT = Path(__file__).resolve().parents[3]

#: What the commands must not inherit from the test run: they get their database and storage from the test.
INHERITED = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "STORAGE_URL"}

#: Stored files of every kind of name: nested folders, Chinese, empty, binary.
FILES = {
    "signatures/visits/2027/03/visit-1.png": bytes(range(256)) * 40,
    "repairs/signatures/repair-7.png": b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(3000),
    "repairs/photos/2027/03/漏水_厨房.jpg": secrets.token_bytes(200_000),
    "exports/monthly/report.xlsx": b"PK\x03\x04" + b"x" * 5000,
    "empty.txt": b"",
}


def manage(*args: str, db: str, var: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED and not k.startswith("S3_")}
    env |= {"DATABASE_URL": db, "GUANJIA_VAR_DIR": str(var), **extra}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def store_files(db: str, var: Path, **extra: str) -> None:
    """Save FILES through the configured storage (local disk under var/media), as the application does."""
    staging = var.parent / f"staging-{secrets.token_hex(4)}"
    for i, data in enumerate(FILES.values()):
        (staging / str(i)).parent.mkdir(parents=True, exist_ok=True)
        (staging / str(i)).write_bytes(data)
    code = (
        "from pathlib import Path\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        f"for i, name in enumerate({list(FILES)!r}):\n"
        f"    data = (Path({str(staging)!r}) / str(i)).read_bytes()\n"
        "    assert default_storage.save(name, ContentFile(data)) == name\n"
    )
    ok(manage("shell", "-c", code, db=db, var=var, **extra))
    shutil.rmtree(staging)


def sqlite_contents(path: Path) -> dict[str, str]:
    """A digest of every row of every table of a SQLite file, table by table."""
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        digests = {}
        for name in names:
            rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{name}"'))  # noqa: S608
            digests[name] = f"{len(rows)}:{hashlib.sha256(''.join(rows).encode()).hexdigest()}"
    return digests


def media(var: Path) -> dict[str, bytes]:
    root = var / "media"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def only_archive(var: Path) -> Path:
    archives = list((var / "backups").glob("guanjia-*.tar.gz"))
    assert len(archives) == 1, archives
    return archives[0]


def assert_clear_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- SQLite ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """A migrated SQLite database with the demo estates and people, files in its storage, and its backup."""
    base = tmp_path_factory.mktemp("backup-sqlite")
    var, path = base / "var", base / "source.sqlite3"
    db = f"sqlite:///{path}"
    ok(manage("migrate", "--noinput", db=db, var=var))
    ok(manage("load_demo", "--no-cases", db=db, var=var))
    store_files(db, var)
    ok(manage("backup", db=db, var=var))
    return {"db": db, "path": path, "var": var, "archive": only_archive(var)}


def test_sqlite_round_trip_restores_every_row_and_every_file(sqlite_source, tmp_path):
    archive = sqlite_source["archive"]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    assert names[-1] == backup.MANIFEST and "database.sqlite3" in names
    assert sorted(n for n in names if n.startswith("files/")) == sorted(f"files/{name}" for name in FILES)
    assert manifest["format"] == backup.FORMAT and manifest["engine"] == "sqlite"
    assert manifest["tables"]["accounts_user"] > 0 and "0001_initial" in manifest["migrations"]["estates"]
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()
    }
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)

    # A new machine: a database file that does not exist yet, an empty media folder.
    var, path = tmp_path / "var", tmp_path / "restored.sqlite3"
    result = ok(manage("restore", str(archive), db=f"sqlite:///{path}", var=var))
    assert "verified" in result.stdout
    assert sqlite_contents(path) == sqlite_contents(sqlite_source["path"])
    assert media(var) == FILES == media(sqlite_source["var"])
    # What the manifest promised is what the database holds.
    assert {name: int(d.split(":")[0]) for name, d in sqlite_contents(path).items() if name in manifest["tables"]} == (
        manifest["tables"]
    )

    # The restored service works: a second backup of it holds the same data.
    ok(manage("backup", db=f"sqlite:///{path}", var=var))
    with tarfile.open(only_archive(var)) as tar:
        again = json.load(tar.extractfile(backup.MANIFEST))
    assert again["tables"] == manifest["tables"] and again["files"] == manifest["files"]


def test_restore_refuses_a_database_that_holds_data_unless_forced(sqlite_source, tmp_path):
    db_path = tmp_path / "busy.sqlite3"
    shutil.copy(sqlite_source["path"], db_path)
    db = f"sqlite:///{db_path}"
    store_files(db, tmp_path / "var")
    # Change the copy: one customer fewer. A refused restore leaves it so; a forced one brings it back.
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM estates_customerphone")
        before = conn.execute("SELECT count(*) FROM estates_customerphone").fetchone()[0]
    refused = manage("restore", str(sqlite_source["archive"]), db=db, var=tmp_path / "var")
    assert_clear_error(refused, "--force", "not empty", "不是空的", "accounts_user")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM estates_customerphone").fetchone()[0] == before == 0

    forced = ok(manage("restore", str(sqlite_source["archive"]), "--force", db=db, var=tmp_path / "var"))
    assert "verified" in forced.stdout
    assert "5 个已存在且相同" in forced.stdout  # the identical files were left as they were
    assert sqlite_contents(db_path) == sqlite_contents(sqlite_source["path"])


def test_a_damaged_or_foreign_archive_is_refused_with_a_clear_error(sqlite_source, tmp_path):
    archive = sqlite_source["archive"]
    target = tmp_path / "target.sqlite3"
    db, var = f"sqlite:///{target}", tmp_path / "var"

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert_clear_error(manage("restore", str(truncated), db=db, var=var), "damaged or incomplete", "损坏")

    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(secrets.token_bytes(5000))
    assert_clear_error(manage("restore", str(garbage), db=db, var=var), "not a Guanjia backup archive")

    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    assert_clear_error(manage("restore", str(foreign), db=db, var=var), "not a Guanjia backup archive", "notes.txt")

    # The same archive with one photo's bytes changed: every member is read, and the manifest's sha256 differs.
    tampered = tmp_path / "tampered.tar.gz"
    photo = "files/repairs/photos/2027/03/漏水_厨房.jpg"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as tar:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == photo:
                data = data[:-1] + bytes([data[-1] ^ 1])
            tar.addfile(member, io.BytesIO(data))
    assert_clear_error(manage("restore", str(tampered), db=db, var=var), "checksum mismatch", photo)

    assert_clear_error(manage("restore", str(tmp_path / "nowhere.tar.gz"), db=db, var=var), "not found")

    # Nothing was restored by any of them.
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    assert not (var / "media").exists() or not media(var)


def test_backup_is_consistent_while_the_service_writes(sqlite_source, tmp_path):
    db_path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_source["path"], db_path)
    stop = threading.Event()
    written = []

    def service() -> None:  # another process's writes, committed one by one in WAL mode
        conn = sqlite3.connect(db_path, timeout=20, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        i = 0
        while not stop.is_set():
            conn.execute("INSERT INTO ops_heartbeat (name, at) VALUES (?, '2027-03-14 01:30:00')", (f"w{i}",))
            written.append(i)
            i += 1
        conn.close()

    writer = threading.Thread(target=service)
    writer.start()
    try:
        result = manage("backup", "--output", str(tmp_path / "live.tar.gz"), db=f"sqlite:///{db_path}", var=tmp_path)
    finally:
        stop.set()
        writer.join()
    ok(result)
    with tarfile.open(tmp_path / "live.tar.gz") as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    assert 0 < manifest["tables"]["ops_heartbeat"] <= len(written)
    restored = tmp_path / "restored.sqlite3"
    ok(manage("restore", str(tmp_path / "live.tar.gz"), db=f"sqlite:///{restored}", var=tmp_path / "var2"))
    with sqlite3.connect(restored) as conn:
        assert conn.execute("SELECT count(*) FROM ops_heartbeat").fetchone()[0] == manifest["tables"]["ops_heartbeat"]


# --- S3 -------------------------------------------------------------------------------------------------


@pytest.fixture
def s3_bucket(monkeypatch):
    """A real S3 server (moto's server mode) on 127.0.0.1 with fake credentials, and the environment that
    points the storage at it (production's STORAGE_URL and S3_* variables)."""
    import boto3
    from moto.server import ThreadedMotoServer

    from guanjia.cases.tests.test_storage_s3 import CREDENTIALS, free_port

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket="guanjia-backup")
    env = {
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "S3_REGION": "us-east-1",
    }
    yield client, env
    server.stop()


def objects(client, prefix: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket="guanjia-backup", Prefix=f"{prefix}/").get("Contents", [])
    return {
        item["Key"].removeprefix(f"{prefix}/"): client.get_object(Bucket="guanjia-backup", Key=item["Key"])[
            "Body"
        ].read()
        for item in listed
    }


def test_the_round_trip_through_an_s3_bucket(sqlite_source, s3_bucket, tmp_path):
    client, s3 = s3_bucket
    source = tmp_path / "source.sqlite3"
    shutil.copy(sqlite_source["path"], source)
    at_source = {**s3, "STORAGE_URL": "s3://guanjia-backup/source"}
    store_files(f"sqlite:///{source}", tmp_path / "var", **at_source)
    ok(manage("backup", "-o", str(tmp_path / "s3.tar.gz"), db=f"sqlite:///{source}", var=tmp_path / "var", **at_source))
    with tarfile.open(tmp_path / "s3.tar.gz") as tar:
        assert sorted(n for n in tar.getnames() if n.startswith("files/")) == sorted(f"files/{n}" for n in FILES)

    # Another bucket folder holding one of the names with other bytes: the archive's bytes replace them under
    # the same name (the storage never overwrites on its own: it would save a renamed copy).
    at_target = {**s3, "STORAGE_URL": "s3://guanjia-backup/target"}
    client.put_object(Bucket="guanjia-backup", Key="target/empty.txt", Body=b"not empty")
    client.put_object(Bucket="guanjia-backup", Key="target/unrelated.txt", Body=b"kept")
    target = tmp_path / "target.sqlite3"
    result = ok(manage("restore", str(tmp_path / "s3.tar.gz"), db=f"sqlite:///{target}", var=tmp_path, **at_target))
    assert "verified" in result.stdout and "1 files in the storage are not in the archive" in result.stdout
    assert objects(client, "target") == {**FILES, "unrelated.txt": b"kept"}
    assert objects(client, "source") == FILES
    assert not (tmp_path / "media").exists()  # nothing went to local disk
    assert sqlite_contents(target) == sqlite_contents(source)


# --- PostgreSQL -----------------------------------------------------------------------------------------


def postgres_server() -> str:
    """The server of DATABASE_URL when the suite runs on PostgreSQL, else the local one; skipped when it does
    not answer, unless REQUIRE_POSTGRES=1 (CI), where that fails."""
    import psycopg

    configured = os.environ.get("DATABASE_URL", "")
    url = configured if configured.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        with psycopg.connect(with_database(url, "postgres"), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but {with_database(url, 'postgres')}: {exc}")
        pytest.skip(f"PostgreSQL not reachable ({exc.__class__.__name__}); REQUIRE_POSTGRES=1 makes this fail")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump and pg_restore are needed next to a reachable PostgreSQL")
    return url


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def postgres_contents(url: str) -> dict[str, str]:
    """A digest of every row of every table and the value of every sequence."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        digests = {}
        for table in tables:
            rows = "count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
            found = conn.execute(f'SELECT {rows} FROM "{table}" t').fetchone()  # noqa: S608
            assert found is not None
            digests[table] = found[0]
        for name, value in conn.execute("SELECT sequencename, last_value FROM pg_sequences"):
            digests[f"sequence {name}"] = str(value)
    return digests


def test_postgresql_round_trip_into_a_freshly_migrated_database(tmp_path):
    import psycopg

    server = postgres_server()
    suffix = secrets.token_hex(4)
    source, target = f"guanjia_backup_src_{suffix}", f"guanjia_backup_dst_{suffix}"
    admin = with_database(server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{source}"')
    try:
        src, dst = with_database(server, source), with_database(server, target)
        ok(manage("migrate", "--noinput", db=src, var=tmp_path / "var"))
        # The target is what an operator prepares on a new server: `migrate` and nothing else (a copy of the
        # migrated source before any data, which is the same and saves a second migrate).
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        ok(manage("load_demo", "--no-cases", db=src, var=tmp_path / "var"))
        store_files(src, tmp_path / "var")
        ok(manage("backup", "--output", str(tmp_path / "pg.tar.gz"), db=src, var=tmp_path / "var"))
        with tarfile.open(tmp_path / "pg.tar.gz") as tar:
            assert "database.pgdump" in tar.getnames()
            manifest = json.load(tar.extractfile(backup.MANIFEST))
        assert manifest["engine"] == "postgresql" and manifest["tables"]["accounts_user"] > 0

        # A SQLite database cannot take a PostgreSQL archive: said plainly, nothing touched.
        wrong = manage("restore", str(tmp_path / "pg.tar.gz"), db=f"sqlite:///{tmp_path}/x.sqlite3", var=tmp_path)
        assert_clear_error(wrong, "postgresql", "SQLite")

        # The target's code is newer: one more (empty) table, referring to one of the archive's.
        with psycopg.connect(dst, autocommit=True) as conn:
            conn.execute("CREATE TABLE later_feature (id serial PRIMARY KEY, user_id bigint REFERENCES accounts_user)")
        result = ok(manage("restore", str(tmp_path / "pg.tar.gz"), db=dst, var=tmp_path / "var2"))
        assert "verified" in result.stdout
        assert postgres_contents(dst) == postgres_contents(src)
        assert media(tmp_path / "var2") == FILES

        # Now the target holds data: a second restore is refused without --force, and works with it.
        again = manage("restore", str(tmp_path / "pg.tar.gz"), db=dst, var=tmp_path / "var2")
        assert_clear_error(again, "--force", "accounts_user")
        ok(manage("restore", str(tmp_path / "pg.tar.gz"), "--force", db=dst, var=tmp_path / "var2"))
        assert postgres_contents(dst) == postgres_contents(src)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in (source, target):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- In process -----------------------------------------------------------------------------------------


def test_the_default_archive_is_named_by_the_servers_time_and_never_overwrites(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    now = datetime(2027, 3, 14, 1, 30, 5, tzinfo=UTC)  # 09:30:05 in Shanghai
    first = backup.default_archive_path(now)
    assert first == tmp_path / "backups" / "guanjia-20270314-093005.tar.gz"
    first.parent.mkdir()
    first.write_bytes(b"")
    assert backup.default_archive_path(now).name == "guanjia-20270314-093005-2.tar.gz"


def test_keep_deletes_only_the_oldest_archives_of_its_own_naming(tmp_path):
    names = [
        "guanjia-20270312-020000.tar.gz",
        "guanjia-20270313-020000.tar.gz",
        "guanjia-20270313-020000-2.tar.gz",
        "guanjia-20270314-020000.tar.gz",
    ]
    for name in [*names, "keep-me.tar.gz", "guanjia-latest.tar.gz"]:
        (tmp_path / name).write_bytes(b"")
    deleted = backup.prune(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[2:], "guanjia-latest.tar.gz", "keep-me.tar.gz"])


@pytest.mark.django_db
def test_a_migrated_database_is_empty_until_it_holds_one_account():
    from guanjia.accounts.models import User

    state = backup.database_state()
    assert state.tables["workdays_calendarday"] > 0  # seeded by a data migration, yet "empty"
    assert backup.data_tables(state) == {}
    User.objects.create(username="someone")
    assert backup.data_tables(backup.database_state()) == {"accounts_user": 1}


def test_stored_files_walks_every_folder_of_the_storage():
    from django.core.files.base import ContentFile
    from django.core.files.storage import InMemoryStorage

    storage = InMemoryStorage()
    for name in ["b/2.txt", "a.txt", "b/c/3.txt", "b/c/d/4.txt"]:
        storage.save(name, ContentFile(b"x"))
    assert list(backup.stored_files(storage)) == ["a.txt", "b/2.txt", "b/c/3.txt", "b/c/d/4.txt"]
