"""``python -m tracker``: the console script, run by the interpreter's own path.

What git runs as the merge driver (``git_setup.driver_command``): an absolute
interpreter path reaches this tracker from git's environment, whatever its PATH.
"""

from .cli import command

command()
