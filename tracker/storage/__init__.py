"""The storage layer under :class:`tracker.store.Store`, split by role.

- ``files``: atomic replacement of a file, backups, stale temp files, stat stamps.
- ``lock``: the exclusive writer's lock (the OS lock, its timeout and owner file).
- ``user``: who is writing ($TRACKER_USER, git's user.name, the login name).
- ``schema``: parsing and shape-checking the file, its tables, migrations, new stores.
- ``tinydb_adapter``: TinyDB over those files; the only module that imports tinydb.
- ``index_cache``: the cache beside a store (``positions.json.idx``) that a warm read answers from.
- ``cache_writers``: a cache written in a child process beside a command's work.

Nothing here builds domain objects: the Store turns documents into statements,
feeds and candidates, and is the one door the rest of tracker goes through.
The one other reader is ``tracker check``, which parses the file with
``schema`` because it must describe a file the Store refuses to load.
"""
