"""Opening the gateway's store from a command: a command that only reads or acts on what is there
refuses a SQLite database that does not exist; the commands that may be the first (``db upgrade``,
``run``, ``send``, adding users, keys and webhooks) make the data folder and name it when they cannot.
Every one of them refuses a data folder that belongs to another user.
"""

from __future__ import annotations

import os
import pwd
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from ecms_gateway.cli.settings import WHERE_SET
from ecms_gateway.engine import Store
from ecms_gateway.engine.retry import RetryPolicies
from ecms_gateway.errors import ConfigError, StoreError
from ecms_gateway.runtime.control import LOCK_FILE
from ecms_gateway.store.database import SQLITE_FILE, resolve_url, sqlite_file, url_without_secrets
from ecms_gateway.store.location import DATABASE_URL_ENV
from ecms_gateway.store.sessions import session_name

SET_DATABASE = f"set {DATABASE_URL_ENV} (or gateway.database_url)"
"""How a command without ``--database-url`` is given the gateway's database URL, for its messages."""
SERVER_DATABASE_FILE = "database-server.txt"
"""In a data folder whose database is PostgreSQL: that database's URL without its password. A command
that would open SQLite in the folder instead (its ``ECMS_GATEWAY_DATABASE_URL`` forgotten) refuses."""


def open_store(
    *,
    data_dir: Path,
    database_url: str | None = None,
    policies: RetryPolicies | None = None,
    create: bool,
    role: str,
    where_set: str = WHERE_SET,
    set_database: str = SET_DATABASE,
) -> Store:
    """The store of ``data_dir`` (or ``database_url``); ``create=False`` refuses a missing SQLite file.

    ``role`` is the command that opens it (``send``, ``db upgrade``): its PostgreSQL sessions are named
    after it (``store.sessions.session_name``). ``where_set`` names the settings that choose the folder,
    for the message that asks to check them; ``set_database`` how to give the command a database URL.
    """
    url = resolve_url(data_dir=data_dir, database_url=database_url)
    database = sqlite_file(url)
    check_database_of_folder(data_dir, url, set_database=set_database, mark=False)
    if database is not None:
        if _by_url(url, data_dir):  # the URL chose the file, not the data folder: its setting is to check
            where_set = url_where_set(where_set)
        if create:
            make_folder(database.parent, where_set=where_set)
        else:
            require_database(database, where_set=where_set)
    on_server = database is None and not create  # a PostgreSQL database this command must find made
    try:
        store = Store(
            database_url=url,
            data_dir=data_dir,
            policies=policies,
            application_name=session_name(role),
            prepare=not on_server,
        )
        if on_server:
            _prepare_made(store, url, where_set=url_where_set(where_set))
    except DBAPIError as exc:
        raise StoreError(f"cannot use the database: {first_line(exc.orig or exc)}") from exc
    mark_database_of_folder(data_dir, url)  # only once it answered: a server never reached marks nothing
    return store


def _prepare_made(store: Store, url: str, *, where_set: str) -> None:
    """Refuse, creating nothing, a PostgreSQL database without the gateway's tables, as a missing SQLite
    file is refused: migrating it would take any empty database (the server's ``postgres``, a backup
    restored elsewhere) for an empty gateway. Any other database is prepared as the store does."""
    from ecms_gateway.store import migrate, revision  # noqa: PLC0415 - Alembic only when not current
    from ecms_gateway.store.tables import METADATA  # noqa: PLC0415

    try:
        if revision.is_current(store.db):
            return
        with store.db.read() as conn:
            made = migrate.current_revision(conn) is not None or bool(
                set(inspect(conn).get_table_names()) & set(METADATA.tables)
            )
        if not made:
            raise ConfigError(
                f"no gateway database at {url_without_secrets(url)}: it has none of the gateway's tables; "
                f"check {where_set}, or create them with `ecms-gateway db upgrade`"
            )
        migrate.prepare(store.db)
    except BaseException:
        store.close()
        raise


URL_SETTINGS = ("--database-url", DATABASE_URL_ENV, "gateway.database_url")
"""What may give a command its database URL, each as a message names it."""


def url_where_set(where_set: str) -> str:
    """What chose a SQLite database given by URL, for a message asking to check it: ``where_set`` when it
    already names one of ``URL_SETTINGS`` (the store commands tell ``--database-url`` apart), else the
    variable when it is set (it wins over the configuration), else ``gateway.database_url``."""
    if where_set in URL_SETTINGS:
        return where_set
    return DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV) else "gateway.database_url"


def _by_url(url: str, data_dir: Path) -> bool:
    """The SQLite file of ``url`` is another than the data folder's own: a URL chose it."""
    return url != resolve_url(data_dir=data_dir)


@dataclass(frozen=True, kw_only=True)
class MadeFolders:
    """The folders ``make_data_folders`` made, each the outermost one that was not there before."""

    made: tuple[Path, ...]
    data_dir: Path

    def remove_unused(self) -> None:
        """After a start that failed before the store was used (the database out of reach): remove the
        folders made for it again while they hold nothing but the pid file's lock, so that the folder
        is as the operator left it. A folder the store wrote in (a SQLite file, the file store, the note
        of a PostgreSQL database) stays; so does the lock of a data folder that was there before (it
        says nothing: a clean stop leaves it too)."""
        for top in self.made:
            if not self.data_dir.is_relative_to(top):
                continue  # the SQLite file's own folder: the store made its file there
            with suppress(OSError):
                if [entry.name for entry in self.data_dir.iterdir()] == [LOCK_FILE]:
                    (self.data_dir / LOCK_FILE).unlink()
            folder = self.data_dir
            while folder.is_relative_to(top):
                try:
                    folder.rmdir()  # only an empty folder goes
                except OSError:
                    return
                folder = folder.parent


def make_data_folders(
    *, data_dir: Path, database_url: str | None = None, where_set: str = WHERE_SET
) -> MadeFolders:
    """For ``run``: the data folder (its pid file, its files) and the SQLite file's folder, made now so
    that a folder that cannot be made is named before anything starts. The folder is marked as a
    PostgreSQL gateway's by ``mark_database_of_folder`` once the database answered, not here."""
    made = [_outermost_missing(data_dir)]
    make_folder(data_dir, where_set=where_set)
    url = resolve_url(data_dir=data_dir, database_url=database_url)
    check_database_of_folder(data_dir, url, mark=False)
    database = sqlite_file(url)
    if database is not None:
        made.append(_outermost_missing(database.parent))
        make_folder(
            database.parent, where_set=url_where_set(where_set) if _by_url(url, data_dir) else where_set
        )
    return MadeFolders(made=tuple(top for top in made if top is not None), data_dir=data_dir)


def _outermost_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that is not there, or None when it is there."""
    missing = None
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing = candidate
    return missing


def check_owner(data_dir: Path, *, uid: int | None = None) -> None:
    """Refuse a data folder that belongs to another user than the one running the command (``uid``).

    The store writes its files for its owner only, so a file a command wrote as root could not be read
    by a gateway that runs as its own user (and a folder root made could not be written): the letter
    would fail to send, or the gateway to start. Commands run as the gateway's user, whoever they are.
    """
    try:
        owner = data_dir.stat().st_uid
    except OSError:
        return  # not there yet: the command makes it as this user, or says why it cannot
    me = os.geteuid() if uid is None else uid
    if owner != me:
        them, us = _user_name(owner), _user_name(me)
        raise ConfigError(
            f"the data folder {data_dir} belongs to user {them}, but this command runs as {us}: run it as "
            f"{them} (sudo -u {them} ecms-gateway ...), or give the folder to {us} (chown -R {us} "
            f"{data_dir}) if the gateway is to run as {us}"
        )


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def check_database_of_folder(
    data_dir: Path, url: str, *, set_database: str = SET_DATABASE, mark: bool = True
) -> None:
    """A data folder that names a PostgreSQL database refuses a command on SQLite (which would make a
    second, empty store there: a letter sent into it is never sent); a folder used with PostgreSQL is
    marked so, naming the database without its password. A folder that holds a SQLite gateway's
    database refuses PostgreSQL (a URL left in the environment), before it is marked. A folder of
    another user is refused first. ``set_database`` says how the command is given the URL (the store
    commands take ``--database-url``). ``mark=False`` leaves the marking to ``mark_database_of_folder``
    once the database answered."""
    check_owner(data_dir)
    marker = data_dir / SERVER_DATABASE_FILE
    if sqlite_file(url) is not None:
        try:
            named = marker.read_text(encoding="utf-8").strip()
        except OSError:
            return
        if named:
            raise ConfigError(
                f"the data folder {data_dir} belongs to a gateway whose database is {named}, but this "
                f"command would use SQLite in it: {set_database} as the gateway has it (if that gateway went "
                f"back to SQLite, remove {marker})"
            )
        return
    shown = url_without_secrets(url)
    try:
        named = marker.read_text(encoding="utf-8").strip()
    except OSError:
        named = ""
    local = data_dir / SQLITE_FILE
    if named != shown and local.is_file() and local.stat().st_size > 0:
        # The other way round: a SQLite gateway's folder, and a PostgreSQL URL from somewhere (often an
        # ECMS_GATEWAY_DATABASE_URL left in the shell). Marking the folder would lock that gateway out.
        raise ConfigError(
            f"the data folder {data_dir} holds a gateway's SQLite database ({local.name}), but this command "
            f"would use the PostgreSQL database {shown} (from --database-url, gateway.database_url or "
            "ECMS_GATEWAY_DATABASE_URL): for that SQLite gateway, unset ECMS_GATEWAY_DATABASE_URL "
            "(`unset ECMS_GATEWAY_DATABASE_URL`) and leave gateway.database_url out; for a PostgreSQL "
            f"gateway, give it a data folder of its own (or move {local} away if this gateway moved to "
            "PostgreSQL)"
        )
    if mark:
        mark_database_of_folder(data_dir, url)


def mark_database_of_folder(data_dir: Path, url: str) -> None:
    """Note in the data folder of a PostgreSQL gateway which database it uses (without its password);
    nothing for SQLite."""
    if sqlite_file(url) is not None:
        return
    shown = url_without_secrets(url)
    marker = data_dir / SERVER_DATABASE_FILE
    try:
        if marker.read_text(encoding="utf-8").strip() == shown:
            return
    except OSError:
        pass  # not there yet
    with suppress(OSError):  # a folder this user cannot write: nothing to mark, the database is fine
        marker.write_text(shown + "\n", encoding="utf-8")


def require_database(database: Path, *, where_set: str = WHERE_SET) -> None:
    """Refuse, creating nothing, when the SQLite file ``database`` is not there."""
    if database.is_file():
        return
    folder = database.parent
    why = f" ({folder} is a file, not a folder)" if folder.exists() and not folder.is_dir() else ""
    raise ConfigError(
        f"no gateway database at {database}{why}: check {where_set}, "
        "or create one with `ecms-gateway db upgrade`"
    )


def make_folder(folder: Path, *, where_set: str = WHERE_SET) -> None:
    """Make the data folder (and its parents) or say which folder cannot be made and why."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise ConfigError(f"the data folder {folder} is a file, not a folder: check {where_set}") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot make the data folder {folder}: {reason}; check {where_set}") from exc


def first_line(error: BaseException) -> str:
    """The first line of an error's text (a database driver's may run to many)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
