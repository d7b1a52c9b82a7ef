"""A real IMAP server for tests: Debian's dovecot, started on a free port of 127.0.0.1 with its own config,
a passwd-file user and a maildir in a temporary folder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self, root: Path, user: str = "desk", password: str = "imap-s3cret"):
        self.root, self.user, self.password = root, user, password
        self.port = _free_port()

    def start(self) -> Dovecot:
        if not DOVECOT.exists():
            raise AssertionError("dovecot is required for the IMAP test (apt-get install dovecot-imapd)")
        me = pwd.getpwuid(os.getuid())
        for d in ("run", "state", "mail"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        internal = "dovecot" if os.getuid() == 0 else me.pw_name
        login = "dovenull" if os.getuid() == 0 else me.pw_name
        # dovecot refuses to read mail as root: as root, the mail belongs to the package's own `dovecot` user
        mail_owner = pwd.getpwnam("dovecot") if os.getuid() == 0 else me
        if os.getuid() == 0:
            os.chmod(self.root, 0o755)
            os.chown(self.root / "mail", mail_owner.pw_uid, mail_owner.pw_gid)
        (self.root / "dovecot.conf").write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {mail_owner.pw_uid}
first_valid_gid = {mail_owner.pw_gid}
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_owner.pw_uid} gid={mail_owner.pw_gid} home={self.root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
        subprocess.run([str(DOVECOT), "-c", str(self.root / "dovecot.conf")], check=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.2)
        log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        raise AssertionError(f"dovecot did not start on port {self.port}: {log[-2000:]}")

    def stop(self) -> None:
        subprocess.run(["/usr/bin/doveadm", "-c", str(self.root / "dovecot.conf"), "stop"], check=False,
                       capture_output=True)
        shutil.rmtree(self.root / "run", ignore_errors=True)
